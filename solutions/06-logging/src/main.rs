#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(logging_solution::app).await
}
