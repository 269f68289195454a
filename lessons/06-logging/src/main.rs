#[tokio::main]
async fn main() -> std::process::ExitCode {
    // One JSON object per line on stdout, for a log pipeline to read.
    workbook::run_with(logging::app, workbook::Logs::Json).await
}
