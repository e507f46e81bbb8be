package main

import (
	"fmt"
	"strings"
)

// TPC-H Q3, shipping priority (SEGMENT BUILDING, DATE 1995-03-15): a three-way join with selective
// filters on both sides, a group-by on l_orderkey and a top 10. Hash joins with built-in maps, built
// and probed morsel by morsel: the BUILDING customers' keys in a set, the qualifying orders (the build
// side) numbered in a map from orderkey to a slot, then one pass over lineitem (the probe side) in which
// each worker sums revenue into its own slice of slots, merged at the end.

var (
	q3Segment = []byte("BUILDING")
	q3Date    = days(1995, 3, 15)
)

const q3Header = "l_orderkey,revenue,o_orderdate,o_shippriority\n"

type q3 struct {
	cCustkey                            []int32
	cMktsegment                         stringColumn
	oOrderkey                           []int64
	oCustkey, oOrderdate, oShippriority []int32
	lOrderkey                           []int64
	lShipdate                           []int32
	lPrice, lDiscount                   []int64
}

func loadQ3(d *dataDir) (query, error) {
	var q q3
	var errs [10]error
	q.cCustkey, errs[0] = d.int32s("customer", "c_custkey", typeInt32)
	q.cMktsegment, errs[1] = d.strings("customer", "c_mktsegment")
	q.oOrderkey, errs[2] = d.int64s("orders", "o_orderkey", typeInt64)
	q.oCustkey, errs[3] = d.int32s("orders", "o_custkey", typeInt32)
	q.oOrderdate, errs[4] = d.int32s("orders", "o_orderdate", typeDate)
	q.oShippriority, errs[5] = d.int32s("orders", "o_shippriority", typeInt32)
	q.lOrderkey, errs[6] = d.int64s("lineitem", "l_orderkey", typeInt64)
	q.lShipdate, errs[7] = d.int32s("lineitem", "l_shipdate", typeDate)
	q.lPrice, errs[8] = d.int64s("lineitem", "l_extendedprice", typeDecimal)
	q.lDiscount, errs[9] = d.int64s("lineitem", "l_discount", typeDecimal)
	return &q, firstError(errs[:])
}

// q3Order is a qualifying order, and then a result row.
type q3Order struct {
	orderkey     int64
	revenue      int64 // scale 4
	orderdate    int32
	shippriority int32
}

// q3Revenue is one candidate's share of the probe: its revenue (scale 4) and how many lines made it, so
// that an order none of whose lines qualify is dropped (an inner join) whatever its revenue.
type q3Revenue struct {
	sum   int64
	lines int64
}

// candidates returns the qualifying orders in orders' row order.
func (q *q3) candidates(threads int) []q3Order {
	keys := collectMorsels(len(q.cCustkey), threads, func(begin, end int, out []int32) []int32 {
		for row := begin; row < end; row++ {
			if q.cMktsegment.equal(row, q3Segment) {
				out = append(out, q.cCustkey[row])
			}
		}
		return out
	})
	building := make(map[int32]struct{}, len(keys))
	for _, key := range keys {
		building[key] = struct{}{}
	}
	return collectMorsels(len(q.oOrderkey), threads, func(begin, end int, out []q3Order) []q3Order {
		for row := begin; row < end; row++ {
			if q.oOrderdate[row] >= q3Date {
				continue
			}
			if _, ok := building[q.oCustkey[row]]; ok {
				out = append(out, q3Order{orderkey: q.oOrderkey[row], orderdate: q.oOrderdate[row], shippriority: q.oShippriority[row]})
			}
		}
		return out
	})
}

// probe adds the revenue of the lines of [begin, end) shipped after the date to their orders' slots.
func (q *q3) probe(revenue []q3Revenue, slotOf map[int64]int32, begin, end int) {
	orderkey := q.lOrderkey[begin:end]
	n := len(orderkey)
	shipdate, price, discount := q.lShipdate[begin:end][:n], q.lPrice[begin:end][:n], q.lDiscount[begin:end][:n]
	for i, key := range orderkey {
		if shipdate[i] <= q3Date {
			continue
		}
		if slot, ok := slotOf[key]; ok {
			revenue[slot].sum += price[i] * (100 - discount[i])
			revenue[slot].lines++
		}
	}
}

func (q *q3) run(threads int) (string, error) {
	candidates := q.candidates(threads)
	// A key that repeats (never in TPC-H data) keeps its last qualifying order.
	slotOf := make(map[int64]int32, len(candidates))
	for slot, order := range candidates {
		slotOf[order.orderkey] = int32(slot)
	}
	partial := make([][]q3Revenue, threads)
	forEachMorsel(len(q.lOrderkey), threads, func(worker, begin, end int) {
		if partial[worker] == nil {
			partial[worker] = make([]q3Revenue, len(candidates))
		}
		q.probe(partial[worker], slotOf, begin, end)
	})
	top := topN[q3Order]{n: 10, less: func(a, b q3Order) bool {
		if a.revenue != b.revenue {
			return a.revenue > b.revenue
		}
		if a.orderdate != b.orderdate {
			return a.orderdate < b.orderdate
		}
		return a.orderkey < b.orderkey
	}}
	for slot, order := range candidates {
		var total q3Revenue
		for _, revenue := range partial {
			if revenue != nil {
				total.sum += revenue[slot].sum
				total.lines += revenue[slot].lines
			}
		}
		if total.lines > 0 {
			order.revenue = total.sum
			top.offer(order)
		}
	}
	var csv strings.Builder
	csv.WriteString(q3Header)
	for _, row := range top.rows {
		fmt.Fprintf(&csv, "%d,%s,%s,%d\n", row.orderkey, money64(row.revenue, 4), formatDate(row.orderdate), row.shippriority)
	}
	return csv.String(), nil
}
