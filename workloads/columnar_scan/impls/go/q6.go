package main

// TPC-H Q6, forecasting revenue change (DATE 1994-01-01, DISCOUNT 0.06, QUANTITY 24): a selective scan
// (about 2% of lineitem) with one sum. The discount bounds are exact hundredths (5..7), never
// 0.06 +/- 0.01 in binary floating point. A morsel's revenue fits int64 (a row adds at most 7 * price,
// TPC-H's prices are below 2^24 hundredths, so a morsel stays below 2^43); morsels are summed in int128.

var (
	q6From = days(1994, 1, 1)
	q6To   = days(1995, 1, 1)
)

type q6 struct {
	shipdate                  []int32
	discount, quantity, price []int64
}

func loadQ6(d *dataDir) (query, error) {
	var q q6
	var errs [4]error
	q.shipdate, errs[0] = d.int32s("lineitem", "l_shipdate", typeDate)
	q.discount, errs[1] = d.int64s("lineitem", "l_discount", typeDecimal)
	q.quantity, errs[2] = d.int64s("lineitem", "l_quantity", typeDecimal)
	q.price, errs[3] = d.int64s("lineitem", "l_extendedprice", typeDecimal)
	return &q, firstError(errs[:])
}

// revenue is the revenue of the qualifying rows of [begin, end), at scale 4.
func (q *q6) revenue(begin, end int) int64 {
	shipdate := q.shipdate[begin:end]
	n := len(shipdate)
	discount, quantity, price := q.discount[begin:end][:n], q.quantity[begin:end][:n], q.price[begin:end][:n]
	var sum int64
	for i, day := range shipdate {
		if day >= q6From && day < q6To && discount[i] >= 5 && discount[i] <= 7 && quantity[i] < 2400 {
			sum += price[i] * discount[i]
		}
	}
	return sum
}

func (q *q6) run(threads int) (string, error) {
	partial := make([]int128, threads)
	forEachMorsel(len(q.shipdate), threads, func(worker, begin, end int) {
		partial[worker].add64(q.revenue(begin, end))
	})
	var total int128
	for _, sum := range partial {
		total.add(sum)
	}
	return "revenue\n" + money(total.big(), 4) + "\n", nil
}
