# Headline metrics: one panel per metric (each with its own unit), one bar per
# result = median over the repeats, error bar = min..max over the repeats.
# Variables: datafile (block m: "result median min max repeats"), n (results),
# nmetrics, metrics / ylabels / scales (word lists, one per metric), labels,
# colors (one per result), ttl. Optional: showvalues=1 prints each bar's
# median above it (locks-per-op: a measured 0 then reads as "0", not as a
# result without data).
if (!exists("showvalues")) showvalues = 0
cols = nmetrics < 3 ? nmetrics : 3
rows = int((nmetrics + cols - 1) / cols)
# the key under the panels: long labels (kernel releases) take a line each
keyh = 20 + 17 * n
height = 180 + 300 * rows + keyh
load plotdir.'/common.gp'

set multiplot layout rows, cols title ttl margins 0.08, 0.98, (40.0 + keyh)/height, 1 - 70.0/height spacing 0.08, 0.12
set style fill solid 0.85 border lc rgb '#333333'
set boxwidth 0.7
set xrange [-0.6:n - 0.4]
set yrange [0:*]
# headroom for the numbers above the tallest bar
if (showvalues) set offsets 0, 0, graph 0.12, 0
unset xtics
set grid noxtics nomxtics ytics
set format y '%g'
do for [m=1:nmetrics] {
	sc = word(scales, m) + 0.0
	set title word(metrics, m)
	set ylabel word(ylabels, m)
	if (m == 1) {
		set key at screen 0.5, screen 0.01 center bottom horizontal reverse Left samplen 1.5 maxrows 2
	} else {
		unset key
	}
	plot for [r=0:n-1] datafile index (m-1) using ($1 == r ? $1 : NaN):($2/sc) with boxes \
			lc rgb color(word(colors, r + 1)) title word(labels, r + 1), \
		datafile index (m-1) using 1:($3/sc):(0):(($4-$3)/sc) with vectors \
			heads size screen 0.01, 90 lc rgb '#000000' lw 1.2 notitle, \
		datafile index (m-1) using 1:(showvalues ? $4/sc : NaN):(sprintf('%.4g', $2/sc)) with labels \
			offset 0, 0.7 font ',9' notitle
}
unset multiplot
