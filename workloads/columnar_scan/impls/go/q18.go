package main

import (
	"fmt"
	"strings"
)

// TPC-H Q18, large volume customer (QUANTITY 300): a group-by on l_orderkey with one group per order
// (1.5 million per SF, far beyond the caches), a semi-join back to orders, a join to customer and a top
// 100. The group-by is a hash aggregation: each worker folds its morsels of lineitem into its own
// built-in map from orderkey to quantity, and the maps are merged, the smaller into the larger. Only the
// few orders past the threshold (57 at SF 1) go on to the joins.

const (
	q18QuantityAbove = 30000 // 300, in hundredths
	q18Header        = "c_name,c_custkey,o_orderkey,o_orderdate,o_totalprice,sum_qty\n"
)

type q18 struct {
	cCustkey             []int32
	cName                stringColumn
	oOrderkey            []int64
	oCustkey, oOrderdate []int32
	oTotalprice          []int64
	lOrderkey, lQuantity []int64
}

func loadQ18(d *dataDir) (query, error) {
	var q q18
	var errs [8]error
	q.cCustkey, errs[0] = d.int32s("customer", "c_custkey", typeInt32)
	q.cName, errs[1] = d.strings("customer", "c_name")
	q.oOrderkey, errs[2] = d.int64s("orders", "o_orderkey", typeInt64)
	q.oCustkey, errs[3] = d.int32s("orders", "o_custkey", typeInt32)
	q.oOrderdate, errs[4] = d.int32s("orders", "o_orderdate", typeDate)
	q.oTotalprice, errs[5] = d.int64s("orders", "o_totalprice", typeDecimal)
	q.lOrderkey, errs[6] = d.int64s("lineitem", "l_orderkey", typeInt64)
	q.lQuantity, errs[7] = d.int64s("lineitem", "l_quantity", typeDecimal)
	return &q, firstError(errs[:])
}

// q18Order is an order whose lines passed the threshold.
type q18Order struct {
	custkey     int32
	orderdate   int32
	orderkey    int64
	totalprice  int64 // scale 2
	sumQuantity int64 // scale 2
	customerRow int
}

// quantities sums l_quantity per l_orderkey.
func (q *q18) quantities(threads int) map[int64]int64 {
	partial := make([]map[int64]int64, threads)
	forEachMorsel(len(q.lOrderkey), threads, func(worker, begin, end int) {
		sums := partial[worker]
		if sums == nil {
			sums = map[int64]int64{}
			partial[worker] = sums
		}
		orderkey := q.lOrderkey[begin:end]
		quantity := q.lQuantity[begin:end][:len(orderkey)]
		for i, key := range orderkey {
			sums[key] += quantity[i]
		}
	})
	var all map[int64]int64
	for _, sums := range partial {
		if len(sums) > len(all) {
			all, sums = sums, all
		}
		for key, quantity := range sums {
			all[key] += quantity
		}
	}
	return all
}

func (q *q18) run(threads int) (string, error) {
	large := map[int64]int64{}
	for key, quantity := range q.quantities(threads) {
		if quantity > q18QuantityAbove {
			large[key] = quantity
		}
	}
	orders := collectMorsels(len(q.oOrderkey), threads, func(begin, end int, out []q18Order) []q18Order {
		for row := begin; row < end; row++ {
			if quantity, ok := large[q.oOrderkey[row]]; ok {
				out = append(out, q18Order{custkey: q.oCustkey[row], orderdate: q.oOrderdate[row], orderkey: q.oOrderkey[row],
					totalprice: q.oTotalprice[row], sumQuantity: quantity})
			}
		}
		return out
	})
	wanted := make(map[int32]int, len(orders))
	for _, order := range orders {
		wanted[order.custkey] = -1
	}
	// A custkey that repeats (never in TPC-H data) keeps its last row.
	for row, key := range q.cCustkey {
		if _, ok := wanted[key]; ok {
			wanted[key] = row
		}
	}
	top := topN[q18Order]{n: 100, less: func(a, b q18Order) bool {
		if a.totalprice != b.totalprice {
			return a.totalprice > b.totalprice
		}
		if a.orderdate != b.orderdate {
			return a.orderdate < b.orderdate
		}
		return a.orderkey < b.orderkey
	}}
	for _, order := range orders {
		if row := wanted[order.custkey]; row >= 0 {
			order.customerRow = row
			top.offer(order)
		}
	}
	var csv strings.Builder
	csv.WriteString(q18Header)
	for _, row := range top.rows {
		fmt.Fprintf(&csv, "%s,%d,%d,%s,%s,%s\n", q.cName.get(row.customerRow), row.custkey, row.orderkey,
			formatDate(row.orderdate), money64(row.totalprice, 2), money64(row.sumQuantity, 2))
	}
	return csv.String(), nil
}
