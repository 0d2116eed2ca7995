//! The bank compiled for one assembly: units (stand-alone items and item
//! sets), their shapes, enemies, capacities and objective features.

use super::{AssemblyError, ExposureLimit, Objective, ResolvedObjective, Scope};
use crate::bank::ItemBank;
use crate::blueprint::{Blueprint, Count};
use crate::ids::{DomainId, SetId};
use crate::irt::ItemParams;
use crate::item::{ItemKind, ItemStatus};
use crate::jta::{CompetencyLevel, LifecyclePhase};
use std::collections::{BTreeMap, HashMap};

/// Per-item limits on how many forms an item may join.
pub(crate) struct Limits<'a> {
    /// The most forms per item.
    pub capacity: u32,
    /// Exposure given historical administrations.
    pub exposure: Option<ExposureLimit>,
    /// Extra per-item caps by bank position (LOFT eligibility).
    pub item_caps: Option<&'a [u32]>,
}

/// What splits a blueprint cell into slot kinds: the phase and item kind,
/// where the blueprint constrains them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Class {
    pub phase: Option<LifecyclePhase>,
    pub kind: Option<ItemKind>,
}

/// A content constraint: the items of slot kinds `kinds` on a form number
/// from `min` to `max`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bound {
    /// What it constrains, for messages.
    pub scope: Scope,
    /// The slot kinds it counts.
    pub kinds: Vec<usize>,
    pub min: u32,
    pub max: u32,
}

/// Every item kind, in file order.
const ITEM_KINDS: [ItemKind; 4] = [
    ItemKind::SingleChoice,
    ItemKind::MultipleResponse,
    ItemKind::Ordering,
    ItemKind::Matching,
];

/// The content constraints of a blueprint over the slot kinds: each cell,
/// domain, constrained phase and item kind, the scored total and the
/// pretest slots.
fn bounds(
    blueprint: &Blueprint,
    cells: &[(DomainId, CompetencyLevel)],
    classes: &[Class],
) -> Vec<Bound> {
    let scored = blueprint.scored_items;
    let pretest = cells.len();
    let kinds_where = |keep: &dyn Fn(usize) -> bool| -> Vec<usize> {
        (0..pretest).filter(|&k| keep(k)).collect()
    };
    let mut bounds = Vec::new();
    let mut push = |scope: Scope, kinds: Vec<usize>, count: Count| {
        bounds.push(Bound {
            scope,
            kinds,
            min: count.min(),
            max: count.max_or(scored),
        });
    };
    for d in &blueprint.domains {
        for level in CompetencyLevel::ALL {
            let kinds = kinds_where(&|k| cells[k].0 == d.domain && cells[k].1 == level);
            let scope = Scope::Cell {
                domain: d.domain.clone(),
                level,
            };
            push(scope, kinds, d.levels.get(level));
        }
        let kinds = kinds_where(&|k| cells[k].0 == d.domain);
        let scope = Scope::Domain {
            domain: d.domain.clone(),
        };
        push(scope, kinds, d.count_range());
    }
    for (phase, count) in &blueprint.phases {
        let kinds = kinds_where(&|k| classes[k].phase == Some(*phase));
        push(Scope::Phase { phase: *phase }, kinds, *count);
    }
    for (kind, count) in &blueprint.kinds {
        let kinds = kinds_where(&|k| classes[k].kind == Some(*kind));
        push(Scope::ItemKind { item_kind: *kind }, kinds, *count);
    }
    push(Scope::Form, kinds_where(&|_| true), Count::exact(scored));
    bounds.push(Bound {
        scope: Scope::Pretest,
        kinds: vec![pretest],
        min: blueprint.pretest_items,
        max: blueprint.pretest_items,
    });
    bounds
}

/// A stand-alone item or the deliverable items of one set.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Bank positions, in bank order.
    pub items: Vec<usize>,
    /// Index into [`Pool::shapes`].
    pub shape: usize,
    /// Number of items.
    pub n_items: u32,
    /// Total expected response time in seconds (unknown counts 0).
    pub seconds: u64,
    /// Enemy units (sorted, without itself).
    pub enemies: Vec<u32>,
    /// The most forms the unit may join.
    pub capacity: u32,
    /// The set, if the unit is one.
    pub set: Option<SetId>,
}

/// The compiled pool.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    /// The blueprint cell of each scored slot kind; slot kind
    /// `c < cells.len()` is scored, `cells.len()` is the pretest slot kind.
    pub cells: Vec<(DomainId, CompetencyLevel)>,
    /// Per slot kind, the items of one form's balanced mix ([`super::mix`]):
    /// the blueprint's counts when they are exact.
    pub need: Vec<u32>,
    /// The content constraints over slot kinds.
    pub bounds: Vec<Bound>,
    /// Per slot kind, the constraints it counts towards.
    pub bounds_of: Vec<Vec<usize>>,
    /// Usable units.
    pub units: Vec<Unit>,
    /// Count vectors over slot kinds.
    pub shapes: Vec<Vec<u32>>,
    /// Units of each shape.
    pub by_shape: Vec<Vec<u32>>,
    /// Number of objective features.
    pub k: usize,
    /// `units × k` features (sums over a unit's scored items).
    pub features: Vec<f64>,
    /// Target of the feature sums of a form.
    pub target: Vec<f64>,
    /// The objective.
    pub objective: ResolvedObjective,
    /// The time limit in seconds, when items carry expected times.
    pub time_limit: Option<u64>,
    /// Per slot kind, the least expected time of an item of that kind.
    pub min_seconds: Vec<u64>,
    /// Per slot kind, items of the right status in the bank.
    pub available: Vec<u32>,
    /// Per slot kind, items in usable units.
    pub usable: Vec<u32>,
}

impl Pool {
    /// The number of slot kinds (scored kinds + pretest).
    pub fn kinds(&self) -> usize {
        self.cells.len() + 1
    }

    /// The scope of a slot kind, for messages.
    pub fn scope(&self, kind: usize) -> Scope {
        match self.cells.get(kind) {
            Some((domain, level)) => Scope::Cell {
                domain: domain.clone(),
                level: *level,
            },
            None => Scope::Pretest,
        }
    }

    /// The constraint of slot kind `kind`'s cell (or of the pretest slots):
    /// its first.
    pub fn cell_bound(&self, kind: usize) -> usize {
        self.bounds_of[kind][0]
    }

    /// The constraints of the cells and of the pretest slots, each once, in
    /// order: they partition the slot kinds.
    pub fn cell_bounds(&self) -> Vec<usize> {
        let mut cells: Vec<usize> = (0..self.kinds()).map(|k| self.cell_bound(k)).collect();
        cells.sort_unstable();
        cells.dedup();
        cells
    }

    /// The shape of a stand-alone item of slot kind `kind`, if the pool has
    /// one.
    pub fn single_shape(&self, kind: usize) -> Option<usize> {
        self.shapes
            .iter()
            .position(|sh| sh.iter().sum::<u32>() == 1 && sh[kind] == 1)
    }

    /// The features of a unit.
    pub fn feat(&self, unit: usize) -> &[f64] {
        &self.features[unit * self.k..(unit + 1) * self.k]
    }

    pub fn build(
        bank: &ItemBank,
        blueprint: &Blueprint,
        objective: &Objective,
        limits: &Limits<'_>,
    ) -> Result<Self, AssemblyError> {
        // Slot kinds: one per blueprint cell, split by phase and by item
        // kind where the blueprint constrains them, then the pretest slot.
        let phases: Vec<Option<LifecyclePhase>> = if blueprint.phases.is_empty() {
            vec![None]
        } else {
            LifecyclePhase::ALL.iter().copied().map(Some).collect()
        };
        let item_kinds: Vec<Option<ItemKind>> = if blueprint.kinds.is_empty() {
            vec![None]
        } else {
            ITEM_KINDS.iter().copied().map(Some).collect()
        };
        let mut cells = Vec::new();
        let mut classes = Vec::new();
        for d in &blueprint.domains {
            for level in CompetencyLevel::ALL {
                for &phase in &phases {
                    for &kind in &item_kinds {
                        cells.push((d.domain.clone(), level));
                        classes.push(Class { phase, kind });
                    }
                }
            }
        }
        let pretest = cells.len();
        let per_cell = phases.len() * item_kinds.len();
        let domain_index: HashMap<&DomainId, usize> = blueprint
            .domains
            .iter()
            .enumerate()
            .map(|(i, d)| (&d.domain, i))
            .collect();
        fn position<T: PartialEq>(options: &[Option<T>], value: T) -> usize {
            options
                .iter()
                .position(|o| o.as_ref().is_none_or(|o| *o == value))
                .unwrap_or(0)
        }
        let items = bank.items();
        // The slot kind of each deliverable item; None for items never delivered.
        let kind_of: Vec<Option<usize>> = items
            .iter()
            .map(|it| match it.status {
                ItemStatus::Operational => domain_index.get(&it.domain).map(|d| {
                    (d * 3 + level_index(it.level)) * per_cell
                        + position(&phases, it.phase) * item_kinds.len()
                        + position(&item_kinds, it.interaction.kind())
                }),
                ItemStatus::Pretest => Some(pretest),
                ItemStatus::Draft | ItemStatus::Retired => None,
            })
            .collect();
        let bounds = bounds(blueprint, &cells, &classes);
        let mut bounds_of = vec![Vec::new(); pretest + 1];
        for (b, bound) in bounds.iter().enumerate() {
            for &k in &bound.kinds {
                bounds_of[k].push(b);
            }
        }
        let mut available = vec![0u32; pretest + 1];
        for &k in kind_of.iter().flatten() {
            available[k] += 1;
        }

        let objective = resolve(bank, blueprint, objective, &kind_of, pretest)?;

        // Group deliverable items into units: sets together, in bank order.
        let mut groups: Vec<(Option<SetId>, Vec<usize>)> = Vec::new();
        let mut set_group: BTreeMap<&SetId, usize> = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            if !matches!(it.status, ItemStatus::Operational | ItemStatus::Pretest) {
                continue;
            }
            match &it.set {
                Some(set) => match set_group.get(set) {
                    Some(&g) => groups[g].1.push(i),
                    None => {
                        set_group.insert(set, groups.len());
                        groups.push((Some(set.clone()), vec![i]));
                    }
                },
                None => groups.push((None, vec![i])),
            }
        }

        let item_cap = |i: usize| -> u32 {
            let mut cap = limits.capacity;
            if let Some(e) = limits.exposure {
                let left = e
                    .max_administrations
                    .saturating_sub(items[i].stats.administrations);
                let forms = left.checked_div(e.candidates_per_form).unwrap_or(u64::MAX);
                cap = cap.min(u32::try_from(forms).unwrap_or(u32::MAX));
            }
            if let Some(caps) = limits.item_caps {
                cap = cap.min(caps.get(i).copied().unwrap_or(0));
            }
            cap
        };

        let mut unit_of_item: Vec<Option<u32>> = vec![None; items.len()];
        let mut units: Vec<Unit> = Vec::new();
        let mut shape_index: BTreeMap<Vec<u32>, usize> = BTreeMap::new();
        // The shape of a one-item unit of each kind, once seen: most units
        // are single items, and this spares them the map lookup.
        let mut single_shape: Vec<Option<usize>> = vec![None; pretest + 1];
        let mut shapes: Vec<Vec<u32>> = Vec::new();
        let mut usable = vec![0u32; pretest + 1];
        let mut any_time = false;
        let mut shape = vec![0u32; pretest + 1];
        // A unit's items per content constraint.
        let mut per_bound = vec![0u32; bounds.len()];
        for (set, members) in groups {
            shape.fill(0);
            per_bound.fill(0);
            // An operational item outside the blueprint's domains cannot be
            // placed, and a set goes all or none: it fits only when no
            // content constraint's maximum is below its items there (a set
            // of three in a cell of at most one item never fits, even when
            // its items are of three phases, three slot kinds).
            let mut placeable = true;
            for &i in &members {
                match kind_of[i] {
                    Some(k) => {
                        shape[k] += 1;
                        for &b in &bounds_of[k] {
                            per_bound[b] += 1;
                        }
                    }
                    None => placeable = false,
                }
                any_time |= items[i].expected_seconds.is_some();
            }
            let fits = placeable && per_bound.iter().zip(&bounds).all(|(n, b)| *n <= b.max);
            let capacity = members.iter().map(|&i| item_cap(i)).min().unwrap_or(0);
            let self_enemy = members.iter().any(|&i| {
                items[i]
                    .enemies
                    .iter()
                    .any(|e| members.iter().any(|&j| &items[j].id == e))
            });
            if !fits || capacity == 0 || self_enemy {
                continue;
            }
            for (k, s) in shape.iter().enumerate() {
                usable[k] += s;
            }
            let single = match members.as_slice() {
                [i] => kind_of[*i],
                _ => None,
            };
            let cached = match single {
                Some(k) => single_shape[k],
                None => shape_index.get(&shape).copied(),
            };
            let s = match cached {
                Some(s) => s,
                None => {
                    shapes.push(shape.clone());
                    let s = shapes.len() - 1;
                    match single {
                        Some(k) => single_shape[k] = Some(s),
                        None => {
                            shape_index.insert(shape.clone(), s);
                        }
                    }
                    s
                }
            };
            let u = units.len() as u32;
            for &i in &members {
                unit_of_item[i] = Some(u);
            }
            units.push(Unit {
                n_items: members.len() as u32,
                seconds: members
                    .iter()
                    .map(|&i| u64::from(items[i].expected_seconds.unwrap_or(0)))
                    .sum(),
                items: members,
                shape: s,
                enemies: Vec::new(),
                capacity,
                set,
            });
        }
        // Enemies, made symmetric, between usable units.
        let mut enemies: Vec<Vec<u32>> = vec![Vec::new(); units.len()];
        for (i, it) in items.iter().enumerate() {
            let Some(u) = unit_of_item[i] else { continue };
            for e in &it.enemies {
                if let Some(v) = bank.position(e).and_then(|j| unit_of_item[j])
                    && v != u
                {
                    enemies[u as usize].push(v);
                    enemies[v as usize].push(u);
                }
            }
        }
        for (unit, mut list) in units.iter_mut().zip(enemies) {
            list.sort_unstable();
            list.dedup();
            unit.enemies = list;
        }
        let mut by_shape = vec![Vec::new(); shapes.len()];
        for (u, unit) in units.iter().enumerate() {
            by_shape[unit.shape].push(u as u32);
        }

        let mut min_seconds = vec![u64::MAX; pretest + 1];
        for unit in &units {
            for &i in &unit.items {
                if let Some(k) = kind_of[i] {
                    let t = u64::from(items[i].expected_seconds.unwrap_or(0));
                    min_seconds[k] = min_seconds[k].min(t);
                }
            }
        }
        for m in &mut min_seconds {
            if *m == u64::MAX {
                *m = 0;
            }
        }

        let mut pool = Pool {
            cells,
            need: Vec::new(),
            bounds,
            bounds_of,
            units,
            shapes,
            by_shape,
            k: 0,
            features: Vec::new(),
            target: Vec::new(),
            objective,
            time_limit: any_time.then(|| u64::from(blueprint.time_limit_minutes) * 60),
            min_seconds,
            available,
            usable,
        };
        pool.need = super::mix::choose(&pool, 1, u32::MAX, true, 0)?.swap_remove(0);
        pool.compute_features(bank, blueprint, &kind_of)?;
        Ok(pool)
    }

    /// Features per unit and the target, for the resolved objective.
    fn compute_features(
        &mut self,
        bank: &ItemBank,
        blueprint: &Blueprint,
        kind_of: &[Option<usize>],
    ) -> Result<(), AssemblyError> {
        if matches!(self.objective, ResolvedObjective::Random) {
            // No features and no target.
            self.k = 0;
            return Ok(());
        }
        let items = bank.items();
        let pretest = self.cells.len();
        let scored = |i: usize| kind_of[i].filter(|&k| k != pretest);
        // Per-item features of scored items.
        let item_features: Box<dyn Fn(usize) -> Result<Vec<f64>, AssemblyError>> =
            match &self.objective {
                ResolvedObjective::Random => Box::new(|_| Ok(Vec::new())),
                ResolvedObjective::InformationTarget { thetas, .. } => {
                    let thetas = thetas.clone();
                    Box::new(move |i| {
                        let p = params(bank, blueprint, i)?;
                        Ok(thetas.iter().map(|&t| p.information(t)).collect())
                    })
                }
                ResolvedObjective::Parallel { thetas, .. } => {
                    let thetas = thetas.clone();
                    Box::new(move |i| {
                        let p = params(bank, blueprint, i)?;
                        let info = thetas.iter().map(|&t| p.information(t));
                        let prob = thetas.iter().map(|&t| p.prob(t));
                        Ok(info.chain(prob).collect())
                    })
                }
                ResolvedObjective::MaxInformationAtCut { theta, .. } => {
                    let theta = *theta;
                    Box::new(move |i| Ok(vec![params(bank, blueprint, i)?.information(theta)]))
                }
                ResolvedObjective::MeanPValue { .. } => {
                    // Items without a p-value count at their cell's mean.
                    let mut sum = vec![0.0; pretest];
                    let mut n = vec![0.0; pretest];
                    for (i, it) in items.iter().enumerate() {
                        if let (Some(k), Some(c)) = (scored(i), &it.stats.ctt) {
                            sum[k] += c.p_value;
                            n[k] += 1.0;
                        }
                    }
                    let scored_total = f64::from(self.need[..pretest].iter().sum::<u32>());
                    let scale = if scored_total > 0.0 {
                        1.0 / scored_total
                    } else {
                        0.0
                    };
                    Box::new(move |i| {
                        let k = scored(i).unwrap_or(0);
                        let mean = if n[k] > 0.0 { sum[k] / n[k] } else { 0.5 };
                        let p = items[i].stats.ctt.as_ref().map_or(mean, |c| c.p_value);
                        Ok(vec![p * scale])
                    })
                }
            };
        let per_item: Vec<Option<Vec<f64>>> = (0..items.len())
            .map(|i| scored(i).map(|_| item_features(i)).transpose())
            .collect::<Result<_, _>>()?;
        let k = per_item.iter().flatten().map(Vec::len).next().unwrap_or(0);
        let k = match &self.objective {
            ResolvedObjective::Random => 0,
            ResolvedObjective::InformationTarget { thetas, .. } => thetas.len(),
            ResolvedObjective::Parallel { thetas, .. } => 2 * thetas.len(),
            _ => k.max(1),
        };
        self.k = k;
        self.features = vec![0.0; self.units.len() * k];
        for (u, unit) in self.units.iter().enumerate() {
            for &i in &unit.items {
                if let Some(f) = &per_item[i] {
                    for (acc, v) in self.features[u * k..(u + 1) * k].iter_mut().zip(f) {
                        *acc += v;
                    }
                }
            }
        }
        // Per-cell item features of usable items, for the data-derived targets.
        let mut cell_items: Vec<Vec<&Vec<f64>>> = vec![Vec::new(); pretest];
        for unit in &self.units {
            for &i in &unit.items {
                if let (Some(c), Some(f)) = (scored(i), &per_item[i]) {
                    cell_items[c].push(f);
                }
            }
        }
        let mean_target = |cell_items: &[Vec<&Vec<f64>>]| -> Vec<f64> {
            let mut t = vec![0.0; k];
            for (c, list) in cell_items.iter().enumerate() {
                if list.is_empty() {
                    continue;
                }
                let w = f64::from(self.need[c]) / list.len() as f64;
                for f in list {
                    for (acc, v) in t.iter_mut().zip(f.iter()) {
                        *acc += w * v;
                    }
                }
            }
            t
        };
        match &mut self.objective {
            ResolvedObjective::Random => {}
            ResolvedObjective::InformationTarget { information, .. } => {
                self.target = information.clone();
            }
            ResolvedObjective::Parallel {
                thetas,
                information,
                expected_score,
            } => {
                let t = mean_target(&cell_items);
                *information = t[..thetas.len()].to_vec();
                *expected_score = t[thetas.len()..].to_vec();
                self.target = t;
            }
            ResolvedObjective::MaxInformationAtCut { bound, .. } => {
                let mut total = 0.0;
                for (c, list) in cell_items.iter_mut().enumerate() {
                    list.sort_by(|a, b| b[0].total_cmp(&a[0]));
                    total += list
                        .iter()
                        .take(self.need[c] as usize)
                        .map(|f| f[0])
                        .sum::<f64>();
                }
                *bound = total;
                self.target = vec![total];
            }
            ResolvedObjective::MeanPValue { target } => {
                if target.is_nan() {
                    *target = mean_target(&cell_items).first().copied().unwrap_or(0.0);
                }
                self.target = vec![*target];
            }
        }
        Ok(())
    }
}

fn level_index(level: CompetencyLevel) -> usize {
    match level {
        CompetencyLevel::Foundational => 0,
        CompetencyLevel::Intermediate => 1,
        CompetencyLevel::Advanced => 2,
    }
}

fn params(bank: &ItemBank, blueprint: &Blueprint, i: usize) -> Result<ItemParams, AssemblyError> {
    let item = &bank.items()[i];
    match &item.stats.irt {
        Some(irt) => blueprint
            .item_params(irt)
            .map_err(|source| AssemblyError::BadIrt {
                item: item.id.clone(),
                source,
            }),
        None => Err(AssemblyError::MissingIrt {
            first: item.id.clone(),
            count: 1,
        }),
    }
}

/// Resolves [`Objective::Auto`] and checks what the objective needs.
fn resolve(
    bank: &ItemBank,
    blueprint: &Blueprint,
    objective: &Objective,
    kind_of: &[Option<usize>],
    pretest: usize,
) -> Result<ResolvedObjective, AssemblyError> {
    if let Objective::Random = objective {
        return Ok(ResolvedObjective::Random);
    }
    let items = bank.items();
    let scored: Vec<usize> = (0..items.len())
        .filter(|&i| kind_of[i].is_some_and(|k| k != pretest))
        .collect();
    let lacking_irt: Vec<usize> = scored
        .iter()
        .copied()
        .filter(|&i| items[i].stats.irt.is_none())
        .collect();
    let all_irt = lacking_irt.is_empty();
    let all_p = scored.iter().all(|&i| items[i].stats.ctt.is_some());
    let need_irt = |r: ResolvedObjective| -> Result<ResolvedObjective, AssemblyError> {
        match lacking_irt.first() {
            Some(&i) => Err(AssemblyError::MissingIrt {
                first: items[i].id.clone(),
                count: lacking_irt.len(),
            }),
            None => Ok(r),
        }
    };
    let information_target = || -> Result<ResolvedObjective, AssemblyError> {
        let t = blueprint
            .irt_targets
            .as_ref()
            .ok_or_else(|| AssemblyError::NoTargets {
                blueprint: blueprint.id.to_string(),
            })?;
        let finite = t.thetas.iter().chain(&t.information).all(|v| v.is_finite());
        if t.thetas.len() != t.information.len() || !finite {
            return Err(AssemblyError::BadTargets {
                thetas: t.thetas.len(),
                information: t.information.len(),
            });
        }
        Ok(ResolvedObjective::InformationTarget {
            thetas: t.thetas.clone(),
            information: t.information.clone(),
        })
    };
    let parallel = |thetas: Vec<f64>| ResolvedObjective::Parallel {
        thetas,
        information: Vec::new(),
        expected_score: Vec::new(),
    };
    let cut = |theta: Option<f64>| -> Result<ResolvedObjective, AssemblyError> {
        let theta = theta
            .or(blueprint.passing.theta_cut)
            .filter(|t| t.is_finite())
            .ok_or(AssemblyError::NoCut)?;
        Ok(ResolvedObjective::MaxInformationAtCut { theta, bound: 0.0 })
    };
    match objective {
        Objective::Auto => {
            if all_irt && blueprint.irt_targets.is_some() {
                information_target()
            } else if all_irt && blueprint.passing.theta_cut.is_some() {
                cut(None)
            } else if all_irt && !scored.is_empty() {
                Ok(parallel(blueprint.information_thetas()))
            } else if all_p && !scored.is_empty() {
                Ok(ResolvedObjective::MeanPValue { target: f64::NAN })
            } else {
                Ok(ResolvedObjective::Random)
            }
        }
        Objective::InformationTarget => need_irt(information_target()?),
        Objective::Parallel { thetas } => need_irt(parallel(thetas.clone())),
        Objective::MaxInformationAtCut { theta } => need_irt(cut(*theta)?),
        Objective::MeanPValue { target } => Ok(ResolvedObjective::MeanPValue {
            target: target.unwrap_or(f64::NAN),
        }),
        Objective::Random => Ok(ResolvedObjective::Random),
    }
}
