// Fix: both goroutines take the locks in the same order.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var a, b sync.Mutex
	var done sync.WaitGroup
	done.Add(2)
	for range 2 {
		go func() {
			defer done.Done()
			a.Lock()
			b.Lock()
			b.Unlock()
			a.Unlock()
		}()
	}
	done.Wait()
	fmt.Println("done")
}
