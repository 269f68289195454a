#[tokio::main]
async fn main() -> std::process::ExitCode {
    workbook::run(scale_out_solution::app).await
}
