package main

import (
	"errors"
	"fmt"
	"strings"
)

// TPC-H Q1, pricing summary report (DELTA 90): a scan of almost all of lineitem that sums quantities and
// money per (l_returnflag, l_linestatus). TPC-H fixes both columns' domains (A, N, R and F, O), so the
// groups are a small array indexed through two 256-entry tables, not a map; a byte outside the domain
// lands past the six printable slots and fails the query. The two scaled sums are int128.

const q1Header = "l_returnflag,l_linestatus,sum_qty,sum_base_price,sum_disc_price,sum_charge,avg_qty,avg_price,avg_disc,count_order\n"

var (
	q1Cutoff     = days(1998, 12, 1) - 90
	q1Flags      = [3]byte{'A', 'N', 'R'}
	q1Statuses   = [2]byte{'F', 'O'}
	q1FlagSlot   = domainSlots(q1Flags[:], 2)
	q1StatusSlot = domainSlots(q1Statuses[:], 1)
)

const (
	q1ValidSlots = 6
	q1Outside    = 6 // a byte outside the domain
	q1Slots      = 2*q1Outside + 1
)

// domainSlots maps every byte to its position in domain times stride, or to q1Outside.
func domainSlots(domain []byte, stride byte) [256]byte {
	var slots [256]byte
	for i := range slots {
		slots[i] = q1Outside
	}
	for i, value := range domain {
		slots[value] = byte(i) * stride
	}
	return slots
}

type q1Group struct {
	sumQty, sumBasePrice, sumDiscount, count int64  // scale 2, 2, 2, rows
	sumDiscPrice, sumCharge                  int128 // scale 4, 6
}

func (g *q1Group) merge(o *q1Group) {
	g.sumQty += o.sumQty
	g.sumBasePrice += o.sumBasePrice
	g.sumDiscount += o.sumDiscount
	g.count += o.count
	g.sumDiscPrice.add(o.sumDiscPrice)
	g.sumCharge.add(o.sumCharge)
}

type q1 struct {
	shipdate                       []int32
	returnflag, linestatus         []byte
	quantity, price, discount, tax []int64
}

func loadQ1(d *dataDir) (query, error) {
	var q q1
	var errs [7]error
	q.shipdate, errs[0] = d.int32s("lineitem", "l_shipdate", typeDate)
	q.returnflag, errs[1] = d.chars("lineitem", "l_returnflag")
	q.linestatus, errs[2] = d.chars("lineitem", "l_linestatus")
	q.quantity, errs[3] = d.int64s("lineitem", "l_quantity", typeDecimal)
	q.price, errs[4] = d.int64s("lineitem", "l_extendedprice", typeDecimal)
	q.discount, errs[5] = d.int64s("lineitem", "l_discount", typeDecimal)
	q.tax, errs[6] = d.int64s("lineitem", "l_tax", typeDecimal)
	return &q, firstError(errs[:])
}

// scan adds the qualifying rows of [begin, end) to groups.
func (q *q1) scan(groups *[q1Slots]q1Group, begin, end int) {
	shipdate := q.shipdate[begin:end]
	n := len(shipdate)
	flag, status := q.returnflag[begin:end][:n], q.linestatus[begin:end][:n]
	quantity, price := q.quantity[begin:end][:n], q.price[begin:end][:n]
	discount, tax := q.discount[begin:end][:n], q.tax[begin:end][:n]
	for i, day := range shipdate {
		if day > q1Cutoff {
			continue
		}
		group := &groups[q1FlagSlot[flag[i]]+q1StatusSlot[status[i]]]
		discPrice := price[i] * (100 - discount[i]) // scale 4
		group.sumQty += quantity[i]
		group.sumBasePrice += price[i]
		group.sumDiscount += discount[i]
		group.count++
		group.sumDiscPrice.add64(discPrice)
		group.sumCharge.add64(discPrice * (100 + tax[i]))
	}
}

func (q *q1) run(threads int) (string, error) {
	partial := make([][q1Slots]q1Group, threads)
	forEachMorsel(len(q.shipdate), threads, func(worker, begin, end int) {
		var morsel [q1Slots]q1Group // on the goroutine's stack: no cache line shared with another worker
		q.scan(&morsel, begin, end)
		for slot := range morsel {
			partial[worker][slot].merge(&morsel[slot])
		}
	})
	var groups [q1Slots]q1Group
	for worker := range partial {
		for slot := range groups {
			groups[slot].merge(&partial[worker][slot])
		}
	}
	for _, group := range groups[q1ValidSlots:] {
		if group.count != 0 {
			return "", errors.New("lineitem has an l_returnflag outside A, N, R or an l_linestatus outside F, O, which TPC-H data never has; regenerate the data")
		}
	}
	var csv strings.Builder
	csv.WriteString(q1Header)
	for slot, group := range groups[:q1ValidSlots] {
		if group.count == 0 {
			continue
		}
		fmt.Fprintf(&csv, "%c,%c,%s,%s,%s,%s,%s,%s,%s,%d\n", q1Flags[slot/2], q1Statuses[slot%2],
			money64(group.sumQty, 2), money64(group.sumBasePrice, 2),
			money(group.sumDiscPrice.big(), 4), money(group.sumCharge.big(), 6),
			average(group.sumQty, group.count), average(group.sumBasePrice, group.count),
			average(group.sumDiscount, group.count), group.count)
	}
	return csv.String(), nil
}
