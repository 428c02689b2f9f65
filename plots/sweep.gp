# Against the swept thread count, one line style per series (results
# sharing a label), medians over the repeats. Latency (the default): p99
# (solid) and p50 (dashed) per series, log y. counts=1: one value per line
# (a lock count per op), a dash per line, linear y from 0.
# Variables: datafile (block per line: "x p50_ns p99_ns", or "x value" with
# counts), n, labels, colors, dashes (counts), unit and scale (latency), ylab
# (counts), xlab (the swept parameter), xlog (1: log2 x axis), ttl.
load plotdir.'/common.gp'

if (!exists("counts")) counts = 0
set title ttl
set xlabel xlab
if (xlog) set logscale x 2
set format x '%g'
set offsets graph 0.03, graph 0.03, 0, 0
if (counts) {
	# a 0 (the lock left alone) is a point on the axis, not a gap
	set ylabel ylab
	set yrange [0:*]
	set format y '%g'
	plot for [i=1:n] datafile index (i-1) using 1:2 with linespoints lw 2 dt int(word(dashes, i)) pt 7 ps 1 \
		lc rgb color(word(colors, i)) title word(labels, i)
} else {
	set ylabel sprintf('latency (%s, log scale)', unit)
	set logscale y 10
	load plotdir.'/logyticks.gp'
	set format y '%.10g' # 1000000, not 1e+06
	plot for [i=1:n] datafile index (i-1) using 1:($3/scale) with linespoints lw 2 pt 7 ps 1 \
			lc rgb color(word(colors, i)) title word(labels, i).' p99', \
		for [i=1:n] datafile index (i-1) using 1:($2/scale) with linespoints lw 1.5 dt 2 pt 6 ps 1 \
			lc rgb color(word(colors, i)) title word(labels, i).' p50'
}
