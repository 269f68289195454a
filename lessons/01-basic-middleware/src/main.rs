#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(basic_middleware::app).await
}
