// Bug: two goroutines increment one plain integer without synchronisation (a data race: lost updates).
package main

import (
	"fmt"
	"sync"
)

func main() {
	hits := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100000 {
				hits++
			}
		}()
	}
	wg.Wait()
	fmt.Println("hits =", hits)
}
