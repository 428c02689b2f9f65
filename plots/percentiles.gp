# Latency (or lock wait) by percentile: one curve per result (or per result
# and lock mode), x = 1/(1-p) on a log axis so the tail gets the room.
# Variables: datafile (blocks "x pct ns", one per curve), n, labels (a word
# list, one per curve), colors (result index per curve), dashes (1 solid,
# 2 dashed per curve), unit + scale (ns per unit), ttl, optional ylab.
load plotdir.'/common.gp'
if (!exists("ylab")) ylab = 'latency'

set title ttl
set xlabel 'percentile (x = 1/(1-p), log scale; a curve ends where its samples run out)'
set ylabel sprintf('%s (%s, log scale)', ylab, unit)
set logscale x 10
set logscale y 10
load plotdir.'/logyticks.gp'
set xrange [1:1e5]
set xtics ('0%%' 1, '50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000)
set mxtics default
set format y '%.10g' # 1000000, not 1e+06
set yrange [*:*]

plot for [i=1:n] datafile index (i-1) using 1:($3/scale) with lines lw 2 \
	lc rgb color(word(colors, i)) dt int(word(dashes, i)) title word(labels, i)
