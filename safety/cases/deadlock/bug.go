// Bug: two goroutines take two mutexes in opposite orders (A then B, B then A) and wait for each other
// forever.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var a, b sync.Mutex
	var holding, done sync.WaitGroup
	holding.Add(2) // both hold their first lock before either takes its second: the deadlock is certain
	done.Add(2)
	go func() {
		defer done.Done()
		a.Lock()
		holding.Done()
		holding.Wait()
		b.Lock()
		b.Unlock()
		a.Unlock()
	}()
	go func() {
		defer done.Done()
		b.Lock()
		holding.Done()
		holding.Wait()
		a.Lock()
		a.Unlock()
		b.Unlock()
	}()
	done.Wait()
	fmt.Println("done")
}
