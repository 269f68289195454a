//! Compiles nothing: the build-dependency on `syn` is what this file is
//! for. The workspace's Cargo.toml says why.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
}
