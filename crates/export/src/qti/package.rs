//! QTI 3.0 content packages: a zip archive with `imsmanifest.xml`, one item
//! file per item (`items/ID.xml`), one stimulus file per item set
//! (`stimuli/SET.xml`) and one test per form (`tests/FORM.xml`).
//!
//! Reading is defensive: every entry's name is checked before anything is
//! read (no absolute paths, no `..`, no symbolic links), each entry is read
//! through a cap on its decompressed size, and the whole package through a
//! cap on the total, so a zip bomb stops at the cap whatever sizes its
//! headers declare. Nothing is written while reading.

use super::import::{Defaults, read_item};
use super::item::{item_element, stimulus_element};
use super::manifest::{Contents, manifest_element, read_item_metadata, resources};
use super::test::test_element;
use super::{QtiError, qti_identifier};
use crate::qti::import::parse_document;
use exam_core::bank::ItemBank;
use exam_core::form::Form;
use exam_core::item::{ItemFile, ItemStatus};
use exam_scoring::rules::ScoringRules;
use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

/// What a written package holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackageSummary {
    /// Item files.
    pub items: usize,
    /// Stimulus files (item sets).
    pub stimuli: usize,
    /// Test files (forms).
    pub tests: usize,
}

/// Writes the package of the bank's operational and pretest items and,
/// for each form, a test, scored under `rules`.
pub fn write_package<W: Write + Seek>(
    out: W,
    bank: &ItemBank,
    forms: &[Form],
    rules: &ScoringRules,
) -> Result<PackageSummary, QtiError> {
    let zip_err = |e: zip::result::ZipError| QtiError::Package(e.to_string());
    let items: Vec<_> = bank
        .items()
        .iter()
        .filter(|i| matches!(i.status, ItemStatus::Operational | ItemStatus::Pretest))
        .collect();
    for form in forms {
        if let Some(slot) = form.slots.iter().find(|s| bank.item(&s.item).is_none()) {
            return Err(QtiError::UnknownItem {
                form: form.id.to_string(),
                item: slot.item.to_string(),
            });
        }
    }
    let mut files: Vec<(String, String)> = Vec::new();
    let mut contents = Contents {
        items: Vec::new(),
        stimuli: Vec::new(),
        tests: Vec::new(),
    };
    let mut used_sets = BTreeMap::new();
    for item in &items {
        let set = item.set.as_ref().and_then(|s| bank.set(s));
        let el = item_element(item, set, rules)?;
        let qti_id = el.get("identifier").unwrap_or_default().to_owned();
        let set_qti = set.and_then(|s| qti_identifier(s.id.as_str()));
        if let Some(set) = set {
            used_sets.insert(set.id.clone(), set);
        }
        files.push((super::item::item_href(item.id.as_str()), el.to_document()));
        contents.items.push((item, qti_id, set_qti));
    }
    for set in used_sets.values() {
        let el = stimulus_element(set)?;
        let qti_id = el.get("identifier").unwrap_or_default().to_owned();
        files.push((
            super::item::stimulus_href(set.id.as_str()),
            el.to_document(),
        ));
        contents.stimuli.push((set.id.to_string(), qti_id));
    }
    for form in forms {
        let el = test_element(form)?;
        let qti_id = el.get("identifier").unwrap_or_default().to_owned();
        let item_ids = form
            .slots
            .iter()
            .filter_map(|s| qti_identifier(s.item.as_str()))
            .collect();
        files.push((
            super::manifest::test_href(form.id.as_str()),
            el.to_document(),
        ));
        contents.tests.push((form, qti_id, item_ids));
    }
    let manifest = manifest_element("MANIFEST-exam-engine", &contents);
    let mut zip = zip::ZipWriter::new(out);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    zip.start_file("imsmanifest.xml", options)
        .map_err(zip_err)?;
    write_all(&mut zip, manifest.to_document().as_bytes())?;
    for (name, text) in &files {
        zip.start_file(name.as_str(), options).map_err(zip_err)?;
        write_all(&mut zip, text.as_bytes())?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(PackageSummary {
        items: items.len(),
        stimuli: contents.stimuli.len(),
        tests: forms.len(),
    })
}

fn write_all<W: Write>(w: &mut W, bytes: &[u8]) -> Result<(), QtiError> {
    w.write_all(bytes)
        .map_err(|e| QtiError::Package(e.to_string()))
}

/// Caps on what reading a package decompresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one entry may decompress to.
    pub entry_bytes: u64,
    /// The most bytes all entries read may decompress to together.
    pub total_bytes: u64,
    /// The most entries a package may have.
    pub entries: usize,
}

impl Default for Limits {
    /// 16 MiB an entry, 256 MiB in all, 100 000 entries.
    fn default() -> Self {
        Self {
            entry_bytes: 16 << 20,
            total_bytes: 256 << 20,
            entries: 100_000,
        }
    }
}

/// A package opened for reading, its entry names checked.
struct Package<R> {
    zip: ZipArchive<R>,
    limits: Limits,
    read_so_far: u64,
}

/// Why an entry name is refused, if it is.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.starts_with('/') || name.starts_with('\\') || name.get(1..2) == Some(":") {
        return Some("absolute path");
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Some("path leaves the package (`..`)");
    }
    None
}

impl<R: Read + Seek> Package<R> {
    fn open(reader: R, limits: Limits) -> Result<Self, QtiError> {
        let mut zip = ZipArchive::new(reader)
            .map_err(|e| QtiError::Package(format!("not a zip archive: {e}")))?;
        if zip.len() > limits.entries {
            return Err(QtiError::Package(format!(
                "{} entries, more than the limit of {}",
                zip.len(),
                limits.entries
            )));
        }
        for i in 0..zip.len() {
            let entry = zip
                .by_index_raw(i)
                .map_err(|e| QtiError::Package(e.to_string()))?;
            let name = entry.name().to_owned();
            if let Some(reason) = unsafe_name(&name) {
                return Err(QtiError::UnsafeEntry {
                    entry: name,
                    reason: reason.into(),
                });
            }
            if entry.is_symlink() {
                return Err(QtiError::UnsafeEntry {
                    entry: name,
                    reason: "symbolic link".into(),
                });
            }
        }
        Ok(Self {
            zip,
            limits,
            read_so_far: 0,
        })
    }

    /// The text of an entry, read through the size caps.
    fn read(&mut self, name: &str) -> Result<String, QtiError> {
        let entry = self
            .zip
            .by_name(name)
            .map_err(|_| QtiError::Package(format!("no entry `{name}`")))?;
        let cap = self
            .limits
            .entry_bytes
            .min(self.limits.total_bytes.saturating_sub(self.read_so_far));
        let mut bytes = Vec::new();
        entry
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| QtiError::Package(format!("entry `{name}`: {e}")))?;
        let size = bytes.len() as u64;
        if size > cap {
            return Err(QtiError::UnsafeEntry {
                entry: name.to_owned(),
                reason: format!(
                    "decompresses to more than {cap} bytes (limits: {} an entry, {} in all)",
                    self.limits.entry_bytes, self.limits.total_bytes
                ),
            });
        }
        self.read_so_far += size;
        String::from_utf8(bytes).map_err(|_| QtiError::UnsafeEntry {
            entry: name.to_owned(),
            reason: "not UTF-8 text".into(),
        })
    }
}

/// The package path of `href` relative to the entry `base`, refused when it
/// leaves the package.
pub fn resolve(base: &str, href: &str) -> Result<String, QtiError> {
    let refuse = |reason: &str| QtiError::UnsafeEntry {
        entry: href.to_owned(),
        reason: format!("{reason} (referenced from `{base}`)"),
    };
    if href.contains("://") || href.starts_with('/') {
        return Err(refuse("not a relative path inside the package"));
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(refuse("path leaves the package (`..`)"));
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Reads the items of a package (every `imsqti_item_xmlv3p0` resource of
/// its manifest) into an item file, with their sets.
pub fn read_package<R: Read + Seek>(
    reader: R,
    limits: Limits,
    defaults: &Defaults,
) -> Result<ItemFile, QtiError> {
    let mut package = Package::open(reader, limits)?;
    let manifest_text = package.read("imsmanifest.xml")?;
    let manifest = parse_document("imsmanifest.xml", &manifest_text)?;
    let mut out = ItemFile::default();
    for resource in resources(&manifest)?.all("resource") {
        if resource.get("type") != Some("imsqti_item_xmlv3p0") {
            continue;
        }
        let href = resource.get("href").ok_or_else(|| QtiError::Missing {
            file: "imsmanifest.xml".into(),
            line: resource.line,
            element: "resource".into(),
            what: "attribute `href`".into(),
        })?;
        let entry = resolve("imsmanifest.xml", href)?;
        let text = package.read(&entry)?;
        let meta = read_item_metadata(resource);
        let base = entry.clone();
        let mut load = |href: &str| {
            let name = resolve(&base, href)?;
            let text = package.read(&name)?;
            Ok((name, text))
        };
        let (item, set) = read_item(&entry, &text, &meta, defaults, &mut load)?;
        if let Some(set) = set
            && !out.sets.iter().any(|s| s.id == set.id)
        {
            out.sets.push(set);
        }
        out.items.push(item);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_resolve_inside_the_package_only() {
        assert_eq!(
            resolve("items/A.xml", "../stimuli/S.xml").unwrap(),
            "stimuli/S.xml"
        );
        assert_eq!(
            resolve("imsmanifest.xml", "items/A.xml").unwrap(),
            "items/A.xml"
        );
        assert!(resolve("items/A.xml", "../../etc/passwd").is_err());
        assert!(resolve("items/A.xml", "/etc/passwd").is_err());
        assert!(resolve("items/A.xml", "https://example.org/x.xml").is_err());
    }

    #[test]
    fn unsafe_names_are_named() {
        assert_eq!(unsafe_name("../x"), Some("path leaves the package (`..`)"));
        assert_eq!(
            unsafe_name("a/../../x"),
            Some("path leaves the package (`..`)")
        );
        assert_eq!(unsafe_name("/etc/x"), Some("absolute path"));
        assert_eq!(unsafe_name("C:/x"), Some("absolute path"));
        assert_eq!(unsafe_name("items/a.xml"), None);
    }
}
