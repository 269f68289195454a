#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(securing_events_solution::app).await
}
