//! Writes a corpus of generated evidence files, to benchmark scoring at registry scale:
//!
//! ```sh
//! cargo run --release --example gen-corpus -- --providers 2000 --seed 1 --out target/corpus
//! labfit compare -p us-clinical-diagnostics target/corpus/*.yaml
//! ```
//!
//! The same (providers, seed) always writes the same bytes; see `corpus.rs` for what is drawn.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

mod corpus;

#[derive(Parser, Debug)]
#[command(about = "Write N generated evidence files over the built-in vocabulary")]
struct Args {
    /// How many providers
    #[arg(long, default_value_t = 2000)]
    providers: usize,
    /// Seed: the same seed writes the same files
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory to write into (created if missing)
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let engine = match labfit::Engine::builtin() {
        Ok(e) => e,
        Err(e) => {
            for d in e.diagnostics() {
                eprint!("{}", d.render(false));
            }
            return ExitCode::from(2);
        }
    };
    let model = corpus::Model::new(&engine);
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create `{}`: {e}", args.out.display());
        return ExitCode::from(2);
    }
    for (id, text) in model.corpus(args.seed, args.providers) {
        let path = args.out.join(format!("{id}.yaml"));
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    eprintln!(
        "wrote {} evidence files (seed {}) to {}",
        args.providers,
        args.seed,
        args.out.display()
    );
    ExitCode::SUCCESS
}
