pub mod change;
pub mod lesson;
pub mod results;
