fn main() {
    std::process::exit(logstat::cli::main());
}
