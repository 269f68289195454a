#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(rate_limiting_solution::app).await
}
