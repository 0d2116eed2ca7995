//! Writes the parameter-recovery data sets the reference tools (Python mirt,
//! girth) fitted: `<name>_responses.csv` (columns I0..I{k−1}, cells 0/1) and
//! `<name>_truth.csv` (item, a, b, c) into the folder given as the argument.
//!
//! `cargo run --release -p exam-stats --example write_recovery_data -- DIR`

#[path = "../tests/recovery_generator.rs"]
mod recovery_generator;

use recovery_generator::{SETS, simulate, truth};
use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: write_recovery_data DIR")?;
    let dir = Path::new(&dir);
    for (name, n, k, guessing, item_seed, person_seed) in SETS {
        let truth = truth(k, guessing, item_seed);
        let header: Vec<String> = (0..k).map(|j| format!("I{j}")).collect();
        let mut responses = header.join(",") + "\n";
        for row in simulate(n, &truth, person_seed) {
            let cells: Vec<String> = row.iter().map(u8::to_string).collect();
            responses += &(cells.join(",") + "\n");
        }
        std::fs::write(dir.join(format!("{name}_responses.csv")), responses)?;
        let mut table = String::from("item,a,b,c\n");
        for j in 0..k {
            writeln!(
                table,
                "I{j},{:.17},{:.17},{:.17}",
                truth.a[j], truth.b[j], truth.c[j]
            )?;
        }
        std::fs::write(dir.join(format!("{name}_truth.csv")), table)?;
    }
    Ok(())
}
