#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(namespaces::app).await
}
