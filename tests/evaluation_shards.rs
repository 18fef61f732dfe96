//! Evaluation split across workers gives the findings of one worker: the
//! rules evaluated per table (`custom.evaluated_per: table`) over shares of
//! the tables, the others over the whole inventory, must find exactly what
//! every rule over the whole inventory finds, in the same order, on every
//! inventory the project keeps (the sample estate with its global table,
//! hostile names, each rule's fixtures, the organization's accounts).

use std::path::{Path, PathBuf};

use dynaudit::config::Config;
use dynaudit::eval::evaluate_in_shards;
use dynaudit::policy::PolicySet;

fn inventories(dir: &Path, out: &mut Vec<(PathBuf, Option<PathBuf>)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|err| panic!("{err}")).path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            inventories(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json")
            && !path.ends_with("expected.json")
            && !path.ends_with("index.json")
        {
            let config = path.with_file_name("config.toml");
            out.push((path, config.exists().then_some(config)));
        }
    }
}

#[test]
fn shares_of_the_tables_find_what_the_whole_inventory_finds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    inventories(&root.join("fixtures"), &mut found);
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    let mut checked = 0;
    for (path, config) in found {
        let Ok(loaded) = dynaudit::load::load(&path) else {
            continue; // not an inventory (e.g. a triage fixture's report)
        };
        let config = config.map_or_else(Config::default, |config| {
            Config::load(&config).unwrap_or_else(|err| panic!("{err}"))
        });
        let evaluate = |workers| {
            evaluate_in_shards(
                &set,
                &loaded.inventory,
                &config.parameters,
                &config.evaluation,
                workers,
            )
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        };
        let whole = evaluate(1);
        for workers in [2, 3, 5] {
            let sharded = evaluate(workers);
            if sharded != whole {
                let missing: Vec<_> = whole.iter().filter(|f| !sharded.contains(f)).collect();
                let extra: Vec<_> = sharded.iter().filter(|f| !whole.contains(f)).collect();
                panic!(
                    "{} with {workers} workers: {} findings instead of {}\nmissing: {missing:#?}\nextra: {extra:#?}",
                    path.display(),
                    sharded.len(),
                    whole.len()
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} inventories checked");
}
