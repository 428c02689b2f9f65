# Headline metrics: one panel per metric (each with its own unit), one bar per
# result = median over the repeats, error bar = min..max over the repeats.
# Variables: datafile (block m: "result median min max repeats"), n (results),
# nmetrics, metrics / ylabels / scales (word lists, one per metric), labels,
# colors (one per result), ttl.
cols = nmetrics < 3 ? nmetrics : 3
rows = int((nmetrics + cols - 1) / cols)
height = 200 + 300 * rows
load plotdir.'/common.gp'

set multiplot layout rows, cols title ttl margins 0.08, 0.98, 80.0/height, 1 - 70.0/height spacing 0.08, 0.12
set style fill solid 0.85 border lc rgb '#333333'
set boxwidth 0.7
set xrange [-0.6:n - 0.4]
set yrange [0:*]
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
			heads size screen 0.01, 90 lc rgb '#000000' lw 1.2 notitle
}
unset multiplot
