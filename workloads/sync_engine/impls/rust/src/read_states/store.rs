//! The read-states cache. The design decision: no per-entry heap node. Up to 64 shards, each behind a
//! `Mutex`, keep their entries in one `Vec` of 24-byte values (the key's index in the key space, last
//! read, and one `u32` holding the 30-bit mention count, a CLOCK reference bit and a dirty bit) and find
//! them through an open-addressing index of `u32` buckets (slot + 1, linear probing, backward-shift
//! deletion, load factor at most 3/4). Eviction is CLOCK (second chance). Everything is allocated before
//! `ready`; no request allocates.
//!
//! Nothing is lost between the cache and the table: an evicted dirty entry (or any evicted entry while its
//! shard is being written back, since the pass may be writing an older copy of it) goes to the shard's
//! `pending` list, which the next pass writes first; a miss looks there and in the list being written
//! before the table. The write-back holds a shard's lock only to copy its dirty entries.

use std::io;
use std::sync::Mutex;

use super::protocol::{self, MAX_MENTIONS, Op, State};
use super::table::{Record, Table};

const MAX_SHARDS: u64 = 64;
const REFERENCED: u32 = 1 << 30;
const DIRTY: u32 = 1 << 31;

/// Counts printed at exit (SPEC.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub requests: u64,
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    /// Misses found in the table or in a write-back list.
    pub loaded_from_table: u64,
    /// Records written to the table.
    pub written_back: u64,
}

impl Counters {
    fn add(&mut self, o: &Counters) {
        self.requests += o.requests;
        self.hits += o.hits;
        self.misses += o.misses;
        self.evictions += o.evictions;
        self.loaded_from_table += o.loaded_from_table;
        self.written_back += o.written_back;
    }
}

#[derive(Clone, Copy, Default)]
struct Entry {
    key: u64,
    last_read: u64,
    word: u32, // mention count | REFERENCED | DIRTY
}

impl Entry {
    fn state(&self) -> State {
        State {
            last_read: self.last_read,
            mentions: self.word & MAX_MENTIONS,
        }
    }
}

fn hash_of(k: u64) -> u64 {
    protocol::splitmix64(k)
}

#[derive(Default)]
struct Shard {
    entries: Vec<Entry>, // len = capacity; [0, used) hold keys
    used: usize,
    buckets: Vec<u32>, // 0 empty, else slot + 1
    hand: usize,
    dirty: Vec<u32>, // slots made dirty since the last pass (an evicted one may linger)
    pending: Vec<Record>, // evicted states the next pass writes, oldest first
    writing: Vec<Record>, // what the pass in flight writes, oldest first
    batch: Vec<Record>, // the pass's copy of the dirty entries (kept for its capacity)
    writing_back: bool,
    counters: Counters,
}

impl Shard {
    fn with_capacity(slots: usize) -> Shard {
        Shard {
            entries: vec![Entry::default(); slots],
            buckets: vec![0; slots + slots / 3 + 1],
            ..Shard::default()
        }
    }

    fn home(&self, hash: u64) -> usize {
        ((hash as u32 as u64 * self.buckets.len() as u64) >> 32) as usize
    }

    fn next(&self, i: usize) -> usize {
        if i + 1 == self.buckets.len() {
            0
        } else {
            i + 1
        }
    }

    fn find(&self, k: u64, hash: u64) -> Option<usize> {
        let mut i = self.home(hash);
        loop {
            match self.buckets[i] {
                0 => return None,
                b if self.entries[b as usize - 1].key == k => return Some(i),
                _ => i = self.next(i),
            }
        }
    }

    fn link(&mut self, slot: usize, hash: u64) {
        let mut i = self.home(hash);
        while self.buckets[i] != 0 {
            i = self.next(i);
        }
        self.buckets[i] = slot as u32 + 1;
    }

    /// Empties bucket `i`, moving back every later bucket of the run whose home is not cyclically in (i, j].
    fn unlink(&mut self, mut i: usize) {
        let mut j = self.next(i);
        while self.buckets[j] != 0 {
            let home = self.home(hash_of(self.entries[self.buckets[j] as usize - 1].key));
            let between = if i <= j {
                home > i && home <= j
            } else {
                home > i || home <= j
            };
            if !between {
                self.buckets[i] = self.buckets[j];
                i = j;
            }
            j = self.next(j);
        }
        self.buckets[i] = 0;
    }

    /// A never-used slot while there are any, else CLOCK's victim, unlinked and kept for the table.
    fn take_slot(&mut self) -> usize {
        if self.used < self.entries.len() {
            self.used += 1;
            return self.used - 1;
        }
        loop {
            let slot = self.hand;
            self.hand = if slot + 1 == self.entries.len() {
                0
            } else {
                slot + 1
            };
            let entry = self.entries[slot];
            if entry.word & REFERENCED != 0 {
                self.entries[slot].word &= !REFERENCED;
                continue;
            }
            if entry.word & DIRTY != 0 || self.writing_back {
                self.pending.push(Record {
                    key: entry.key,
                    state: entry.state(),
                });
            }
            let bucket = self
                .find(entry.key, hash_of(entry.key))
                .expect("a held key is indexed");
            self.unlink(bucket);
            self.entries[slot].word = 0; // not dirty any more: a pass that meets it in `dirty` skips it
            self.counters.evictions += 1;
            return slot;
        }
    }

    fn insert(&mut self, k: u64, hash: u64, state: State) -> usize {
        let slot = self.take_slot();
        self.entries[slot] = Entry {
            key: k,
            last_read: state.last_read,
            word: state.mentions,
        };
        self.link(slot, hash);
        slot
    }

    /// The newest state of key `k`, which is not in memory.
    fn load(&mut self, k: u64, table: &Table) -> io::Result<State> {
        let kept = self
            .pending
            .iter()
            .rev()
            .chain(self.writing.iter().rev())
            .find(|r| r.key == k);
        let found = match kept {
            Some(record) => Some(record.state),
            None => table.read(k)?,
        };
        if found.is_some() {
            self.counters.loaded_from_table += 1;
        }
        Ok(found.unwrap_or_else(|| protocol::initial_state(k)))
    }
}

/// Safe to share between threads: every shard has its own lock.
pub struct Store {
    shards: Vec<Mutex<Shard>>,
    table: Table,
}

impl Store {
    /// Room for `entries` (at least 1) entries in front of `table`.
    pub fn new(entries: u64, table: Table) -> Store {
        let n = entries.clamp(1, MAX_SHARDS);
        let shards = (0..n)
            .map(|i| {
                Mutex::new(Shard::with_capacity(
                    (entries / n + u64::from(i < entries % n)) as usize,
                ))
            })
            .collect();
        Store { shards, table }
    }

    pub fn keys(&self) -> u64 {
        self.table.keys()
    }

    /// The shard from the hash's high half (the index probes from the low half).
    fn shard_of(&self, hash: u64) -> &Mutex<Shard> {
        &self.shards[(((hash >> 32) * self.shards.len() as u64) >> 32) as usize]
    }

    fn lock(shard: &Mutex<Shard>) -> std::sync::MutexGuard<'_, Shard> {
        shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Fills the cache with the initial states of keys 0, 1, 2, ... until it is full or the key space ends
    /// (a shard whose share is full skips its keys).
    pub fn preload(&self) {
        let mut free: usize = self
            .shards
            .iter()
            .map(|s| Self::lock(s).entries.len())
            .sum();
        let mut k = 0;
        while k < self.table.keys() && free > 0 {
            let hash = hash_of(k);
            let mut shard = Self::lock(self.shard_of(hash));
            if shard.used < shard.entries.len() {
                shard.insert(k, hash, protocol::initial_state(k));
                free -= 1;
            }
            k += 1;
        }
    }

    /// Applies `op` to key index `k` (inside the key space) and returns the state after it. The error is
    /// the table's: the service cannot go on.
    pub fn execute(&self, k: u64, op: Op, message_id: u64) -> io::Result<State> {
        let hash = hash_of(k);
        let mut guard = Self::lock(self.shard_of(hash));
        let shard = &mut *guard;
        shard.counters.requests += 1;
        let slot = match shard.find(k, hash) {
            Some(bucket) => {
                shard.counters.hits += 1;
                let slot = shard.buckets[bucket] as usize - 1;
                shard.entries[slot].word |= REFERENCED;
                slot
            }
            None => {
                shard.counters.misses += 1;
                let state = shard.load(k, &self.table)?;
                shard.insert(k, hash, state)
            }
        };
        let entry = &mut shard.entries[slot];
        let before = entry.state();
        let after = protocol::apply(before, op, message_id);
        if after != before {
            entry.last_read = after.last_read;
            if entry.word & DIRTY == 0 {
                shard.dirty.push(slot as u32);
            }
            entry.word = (entry.word & !MAX_MENTIONS) | after.mentions | DIRTY;
        }
        Ok(after)
    }

    /// Writes every dirty entry and every kept record to the table, one shard at a time, holding its lock
    /// only to copy. One write-back at a time. Returns the records written.
    pub fn write_back(&self) -> io::Result<u64> {
        let mut written = 0;
        for shard in &self.shards {
            let (writing, batch) = {
                let mut guard = Self::lock(shard);
                let s = &mut *guard;
                let mut batch = std::mem::take(&mut s.batch);
                batch.clear();
                for &slot in &s.dirty {
                    let entry = &mut s.entries[slot as usize];
                    if entry.word & DIRTY != 0 {
                        entry.word &= !DIRTY;
                        batch.push(Record {
                            key: entry.key,
                            state: entry.state(),
                        });
                    }
                }
                s.dirty.clear();
                std::mem::swap(&mut s.pending, &mut s.writing);
                s.writing_back = true;
                (s.writing.clone(), batch)
            };
            // What the evictions kept first: anything still in memory is newer.
            let result = self
                .table
                .write(&writing)
                .and_then(|()| self.table.write(&batch));
            let mut s = Self::lock(shard);
            s.counters.written_back += (writing.len() + batch.len()) as u64;
            s.writing.clear();
            s.writing_back = false;
            s.batch = batch;
            result?;
            written += (writing.len() + s.batch.len()) as u64;
        }
        Ok(written)
    }

    /// Entries held now.
    pub fn len(&self) -> u64 {
        self.shards.iter().map(|s| Self::lock(s).used as u64).sum()
    }

    pub fn counters(&self) -> Counters {
        let mut total = Counters::default();
        for shard in &self.shards {
            total.add(&Self::lock(shard).counters);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn store(entries: u64, keys: u64) -> Store {
        let store = Store::new(entries, Table::open(None, keys).unwrap());
        store.preload();
        store
    }

    #[test]
    fn preload_fills_each_shard_to_its_share() {
        for (entries, keys) in [(1000, 1250), (1000, 10), (1, 5)] {
            let s = store(entries, keys);
            let full = entries.min(keys);
            assert!(
                s.len() <= full && s.len() >= full * 9 / 10,
                "{entries} entries, {keys} keys: {}",
                s.len()
            );
            assert_eq!(s.counters(), Counters::default());
            for k in 0..keys {
                assert_eq!(
                    s.execute(k, Op::Get, 0).unwrap(),
                    protocol::initial_state(k)
                );
            }
        }
    }

    #[test]
    fn evicted_changes_come_back_before_and_after_write_back() {
        let s = store(1, 64);
        let acked = s.execute(40, Op::Ack, 1 << 50).unwrap();
        let mentioned = s.execute(41, Op::Mention, 0).unwrap(); // evicts 40, dirty: kept
        assert_eq!(s.execute(40, Op::Get, 0).unwrap(), acked);
        s.write_back().unwrap();
        for k in 0..64 {
            s.execute(k, Op::Get, 0).unwrap();
        }
        assert_eq!(s.execute(41, Op::Get, 0).unwrap(), mentioned);
        s.write_back().unwrap();
        assert_eq!(s.table.read(40).unwrap(), Some(acked));
        let c = s.counters();
        assert!(
            c.evictions > 0 && c.loaded_from_table >= 2 && c.written_back >= 2,
            "{c:?}"
        );
        assert_eq!(c.requests, c.hits + c.misses);
    }

    /// Workers own the keys k mod 4 == w (as the harness's connections do) and check every answer against
    /// their own model while a write-back runs in a loop.
    fn concurrent_load_loses_nothing(entries: u64, requests_per_worker: u64) {
        const WORKERS: u64 = 4;
        let keys = entries * 5 + 64;
        let s = store(entries, keys);
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    s.write_back().unwrap();
                }
            });
            let workers: Vec<_> = (0..WORKERS)
                .map(|w| {
                    let s = &s;
                    scope.spawn(move || {
                        let mut model = HashMap::new();
                        let mut random = w + 1;
                        for _ in 0..requests_per_worker {
                            random = protocol::splitmix64(random);
                            let k = (random % (keys / WORKERS)) * WORKERS + w;
                            let op = [Op::Get, Op::Ack, Op::Mention][(random >> 32) as usize % 3];
                            let message = if op == Op::Ack { random >> 24 } else { 0 };
                            let before = *model.get(&k).unwrap_or(&protocol::initial_state(k));
                            let want = protocol::apply(before, op, message);
                            assert_eq!(
                                s.execute(k, op, message).unwrap(),
                                want,
                                "{op:?} on key {k}"
                            );
                            model.insert(k, want);
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.join().unwrap();
            }
            stop.store(true, Ordering::Relaxed);
        });
        let c = s.counters();
        assert!(
            s.len() <= entries && c.evictions > 0 && c.loaded_from_table > 0,
            "{c:?}"
        );
        assert_eq!(c.requests, WORKERS * requests_per_worker);
    }

    #[test]
    fn concurrent_load_with_write_back_loses_nothing() {
        concurrent_load_loses_nothing(1000, 25_000);
    }

    #[test]
    fn fewer_entries_than_shards() {
        concurrent_load_loses_nothing(3, 500);
    }
}
