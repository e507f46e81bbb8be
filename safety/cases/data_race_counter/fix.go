// Fix: an atomic counter.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var hits atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100000 {
				hits.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Println("hits =", hits.Load())
}
