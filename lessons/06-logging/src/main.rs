#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(logging::app).await
}
