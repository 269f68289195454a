#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(notifications::app).await
}
