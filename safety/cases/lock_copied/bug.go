// Bug: a struct holding a mutex is passed by value, so each goroutine locks its own copy of the mutex and
// the counter they share through a pointer is updated with no lock held by the other (a data race).
package main

import (
	"fmt"
	"sync"
)

type Stats struct {
	mu   sync.Mutex
	hits *int
}

func record(s Stats) { // s is a copy, its mutex too
	for range 100000 {
		s.mu.Lock()
		*s.hits++
		s.mu.Unlock()
	}
}

func main() {
	hits := 0
	stats := Stats{hits: &hits}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			record(stats)
		}()
	}
	wg.Wait()
	fmt.Println("hits =", hits)
}
