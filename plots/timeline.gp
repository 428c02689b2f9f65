# Latency over time: max (solid) and mean (dashed) per timeline interval, one
# colour per result, the repeats joined end to end (dotted lines between
# them); triangles at the bottom mark intervals in which a collapse op ran.
# Variables: datafile (block per result: "t_s mean_ns max_ns count"), n,
# labels, colors, unit, scale, bounds (repeat boundaries, seconds), markfile
# ('' when no collapse ops), marked (series with marks), ttl.
load plotdir.'/common.gp'

set title ttl
set xlabel 'measured time (s); repeats joined end to end, dotted lines between repeats'
set ylabel sprintf('latency per interval (%s, log scale)', unit)
set logscale y 10
load plotdir.'/logyticks.gp'
set format y '%.10g' # 1000000, not 1e+06
set xrange [0:*]
set y2range [0:1]
unset y2tics
do for [b in bounds] {
	set arrow from b + 0.0, graph 0 to b + 0.0, graph 1 nohead dt 3 lc rgb '#888888' back
}
nmarked = (markfile eq '') ? 0 : words(marked)

# (gnuplot evaluates a plot clause even when its loop runs zero times, hence
# two plot commands)
if (nmarked == 0) {
	plot for [i=1:n] datafile index (i-1) using 1:($3/scale) with lines lw 1.5 \
			lc rgb color(word(colors, i)) title word(labels, i).' max', \
		for [i=1:n] datafile index (i-1) using 1:($2/scale) with lines lw 1 dt 2 \
			lc rgb color(word(colors, i)) title word(labels, i).' mean'
} else {
	plot for [i=1:n] datafile index (i-1) using 1:($3/scale) with lines lw 1.5 \
			lc rgb color(word(colors, i)) title word(labels, i).' max', \
		for [i=1:n] datafile index (i-1) using 1:($2/scale) with lines lw 1 dt 2 \
			lc rgb color(word(colors, i)) title word(labels, i).' mean', \
		for [j=1:nmarked] markfile using 1:($2 == word(marked, j) + 0 ? 0.03 + 0.04 * $2 : NaN) axes x1y2 \
			with points pt 9 ps 0.8 lc rgb color(word(colors, word(marked, j) + 1)) \
			title word(labels, word(marked, j) + 1).' collapse op ran'
}
