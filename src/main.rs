fn main() -> std::process::ExitCode {
    logstat::cli::main()
}

/// Runs [`logstat::cli::note_closed_stdio`] before Rust's runtime start-up,
/// which would hide a closed stdout behind `/dev/null`: the loader calls the
/// functions of this list before `main`'s runtime start-up.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_os = "illumos",
    target_os = "solaris"
))]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDIO: extern "C" fn() = logstat::cli::note_closed_stdio;

/// As above, in the Mach-O constructor list.
#[cfg(target_vendor = "apple")]
#[used]
#[unsafe(link_section = "__DATA,__mod_init_func")]
static NOTE_CLOSED_STDIO: extern "C" fn() = logstat::cli::note_closed_stdio;
