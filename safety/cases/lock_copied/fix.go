// Fix: pass a pointer, so every goroutine locks the one mutex.
package main

import (
	"fmt"
	"sync"
)

type Stats struct {
	mu   sync.Mutex
	hits int
}

func record(s *Stats) {
	for range 100000 {
		s.mu.Lock()
		s.hits++
		s.mu.Unlock()
	}
}

func main() {
	var stats Stats
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			record(&stats)
		}()
	}
	wg.Wait()
	fmt.Println("hits =", stats.hits)
}
