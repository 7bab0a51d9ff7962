//! `--codes` and `--explain`: printing the registry.
//!
//! SKELETON (registry helper implements `run`).

use std::io::Write;

use crate::cli::Output;
use crate::lang::Lang;

/// Prints the whole registry (`codes`) or the entries for `args` (codes such as
/// `499`/`000`, classes such as `4xx`) in `output` format; returns the exit code.
pub fn run(
    codes: bool,
    args: &[String],
    output: Output,
    lang: Lang,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let _ = (codes, args, output, lang, out, err);
    0
}
