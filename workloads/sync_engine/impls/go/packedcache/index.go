package packedcache

// keyIndex maps a key's index to its slot in one shard's entry array: open addressing with linear probing
// over uint32 buckets (0 empty, else slot+1) at load factor at most 3/4, deletion by backward shift so no
// tombstones build up as entries come and go. About 5.3 bytes per entry and no pointers: a Go map of the
// same keys would cost 2-3 times as much memory for a table that never grows.
type keyIndex struct {
	buckets []uint32
}

func newKeyIndex(slots uint32) keyIndex {
	return keyIndex{buckets: make([]uint32, uint64(slots)+uint64(slots)/3+1)}
}

// home is the bucket a hash starts probing at (its low 32 bits scaled to the table).
func (ix *keyIndex) home(hash uint64) int {
	return int(uint64(uint32(hash)) * uint64(len(ix.buckets)) >> 32)
}

func (ix *keyIndex) next(i int) int {
	if i++; i == len(ix.buckets) {
		return 0
	}
	return i
}

// find returns the bucket holding key index k (whose hash is hash), or -1.
func (ix *keyIndex) find(k, hash uint64, slots []entry) int {
	for i := ix.home(hash); ; i = ix.next(i) {
		b := ix.buckets[i]
		if b == 0 {
			return -1
		}
		if slots[b-1].key == k {
			return i
		}
	}
}

// insert adds slot for a key (with this hash) that is not in the index.
func (ix *keyIndex) insert(slot uint32, hash uint64) {
	i := ix.home(hash)
	for ix.buckets[i] != 0 {
		i = ix.next(i)
	}
	ix.buckets[i] = slot + 1
}

// remove empties bucket i, moving back each later bucket of the run whose home does not lie cyclically in
// (i, j], so every key stays reachable from its home.
func (ix *keyIndex) remove(i int, slots []entry) {
	for j := ix.next(i); ix.buckets[j] != 0; j = ix.next(j) {
		home := ix.home(hashOf(slots[ix.buckets[j]-1].key))
		between := home > i && home <= j
		if i > j {
			between = home > i || home <= j
		}
		if !between {
			ix.buckets[i] = ix.buckets[j]
			i = j
		}
	}
	ix.buckets[i] = 0
}
