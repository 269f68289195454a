#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(securing_events::app).await
}
