//! Walking key-sorted sequences in step (a vocabulary and the facts a file states, the facts
//! asked about and their specs), so that finding each key's entry is one pass, not a search.

use std::cmp::Ordering;
use std::iter::Peekable;

/// Advances `entries`, sorted by key, past every key before `key`, and takes the entry of
/// `key` itself when there is one. Each step compares the two keys once: the comparison that
/// says "before" also says "equal".
pub(crate) fn take_key<K, V, I>(entries: &mut Peekable<I>, key: &str) -> Option<V>
where
    K: AsRef<str>,
    I: Iterator<Item = (K, V)>,
{
    loop {
        match entries.peek().map(|(k, _)| k.as_ref().cmp(key))? {
            Ordering::Less => {
                entries.next();
            }
            Ordering::Equal => return entries.next().map(|(_, v)| v),
            Ordering::Greater => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::take_key;

    #[test]
    fn each_key_finds_its_entry_and_passes_the_ones_before_it() {
        let entries = [("a", 1), ("c", 3), ("d", 4), ("f", 6)];
        let mut it = entries.iter().copied().peekable();
        let found: Vec<_> = ["b", "c", "d", "e", "g"]
            .iter()
            .map(|k| take_key(&mut it, k))
            .collect();
        assert_eq!(found, [None, Some(3), Some(4), None, None]);
        assert!(it.next().is_none());
    }
}
