#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(jwt_auth_solution::app).await
}
