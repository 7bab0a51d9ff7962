fn main() -> std::process::ExitCode {
    logstat::cli::main()
}
