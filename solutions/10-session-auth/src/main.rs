#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(session_auth_solution::app).await
}
