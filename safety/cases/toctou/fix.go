// Fix: check and act under one lock acquisition.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	balance := 100
	var done sync.WaitGroup
	done.Add(2)
	for range 2 {
		go func() {
			defer done.Done()
			mu.Lock()
			if balance >= 80 {
				balance -= 80
			}
			mu.Unlock()
		}()
	}
	done.Wait()
	fmt.Println("balance =", balance)
}
