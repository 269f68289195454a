#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(disconnect_cleanup::app).await
}
