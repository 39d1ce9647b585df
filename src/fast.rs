//! Hash maps and sets keyed by identifiers, with a fast, fixed hasher (no
//! denial-of-service concern for a batch job reading its own files).

use std::collections::{HashMap, HashSet};

pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
pub type FastSet<K> = HashSet<K, foldhash::fast::FixedState>;
