#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(session_auth::app).await
}
