//! Single-thread extractor throughput (bytes/s). SKELETON.
fn main() {}
