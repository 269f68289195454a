#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(chaining::app).await
}
