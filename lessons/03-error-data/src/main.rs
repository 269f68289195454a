#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(error_data::app).await
}
