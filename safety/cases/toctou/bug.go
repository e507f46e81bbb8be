// Bug: check then act under two separate lock acquisitions (time of check to time of use): both
// goroutines see enough money, both withdraw, the balance goes negative. No data race, so -race is
// silent.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	balance := 100
	var checked, done sync.WaitGroup
	checked.Add(2) // makes the interleaving certain
	done.Add(2)
	for range 2 {
		go func() {
			defer done.Done()
			mu.Lock()
			enough := balance >= 80 // check
			mu.Unlock()
			checked.Done()
			checked.Wait()
			if enough {
				mu.Lock()
				balance -= 80 // act, on a value that may have changed
				mu.Unlock()
			}
		}()
	}
	done.Wait()
	fmt.Println("balance =", balance)
}
