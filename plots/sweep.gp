# Latency against the swept thread count: p99 (solid) and p50 (dashed) per
# series (results sharing a label), medians over the repeats.
# Variables: datafile (block per series: "x p50_ns p99_ns"), n, labels,
# colors, unit, scale, xlab (the swept parameter), xlog (1: log2 x axis), ttl.
load plotdir.'/common.gp'

set title ttl
set xlabel xlab
set ylabel sprintf('latency (%s, log scale)', unit)
if (xlog) set logscale x 2
set logscale y 10
load plotdir.'/logyticks.gp'
set format y '%.10g' # 1000000, not 1e+06
set format x '%g'
set offsets graph 0.03, graph 0.03, 0, 0

plot for [i=1:n] datafile index (i-1) using 1:($3/scale) with linespoints lw 2 pt 7 ps 1 \
		lc rgb color(word(colors, i)) title word(labels, i).' p99', \
	for [i=1:n] datafile index (i-1) using 1:($2/scale) with linespoints lw 1.5 dt 2 pt 6 ps 1 \
		lc rgb color(word(colors, i)) title word(labels, i).' p50'
