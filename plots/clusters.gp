# Clustered bars: one panel per quantity (page-table memory: VmPTE, the
# system's page-table pages, PTE tables freed vs expected), a cluster per
# result in the result's colour, a bar per series within it (start, peak,
# end) named under the bar and told apart by fill density too; bar = median
# over the repeats, error bar = min..max, the median printed above.
# Variables: datafile (block m: "result series median min max repeats"),
# n (results), npanels, titles / ylabels (word lists, one per panel),
# seriesM / densM (panel M's series names and fill densities), labels,
# colors (one per result), ttl.
cols = npanels < 3 ? npanels : 3
rows = int((npanels + cols - 1) / cols)
# the key under the panels: long labels (kernel releases) take a line each
keyh = 20 + 17 * n
height = 180 + 340 * rows + keyh
load plotdir.'/common.gp'

set multiplot layout rows, cols title ttl margins 0.08, 0.98, (70.0 + keyh)/height, 1 - 70.0/height spacing 0.08, 0.2
set style fill solid 0.85 border lc rgb '#333333'
set xrange [-0.6:n - 0.4]
set yrange [0:*]
# headroom for the numbers above the tallest bar
set offsets 0, 0, graph 0.12, 0
set grid noxtics nomxtics ytics
set format y '%g'
do for [m=1:npanels] {
	series = value(sprintf('series%d', m))
	dens = value(sprintf('dens%d', m))
	ns = words(series)
	bw = 0.8 / ns
	set boxwidth bw * 0.9 absolute
	set title word(titles, m)
	set ylabel word(ylabels, m)
	set xtics () rotate by 90 right font ',8' scale 0
	do for [r=0:n-1] {
		do for [s=0:ns-1] {
			set xtics add (word(series, s + 1) r + (s - (ns - 1) / 2.0) * bw)
		}
	}
	if (m == 1) {
		set key at screen 0.5, screen 0.01 center bottom horizontal reverse Left samplen 1.5 maxrows 2
	} else {
		unset key
	}
	plot for [r=0:n-1] for [s=0:ns-1] datafile index (m-1) \
			using (($1 == r && $2 == s) ? $1 + (s - (ns - 1) / 2.0) * bw : NaN):3 with boxes \
			fs solid word(dens, s + 1) + 0.0 lc rgb color(word(colors, r + 1)) notitle, \
		datafile index (m-1) using ($1 + ($2 - (ns - 1) / 2.0) * bw):4:(0):($5-$4) with vectors \
			heads size screen 0.006, 90 lc rgb '#000000' lw 1 notitle, \
		datafile index (m-1) using ($1 + ($2 - (ns - 1) / 2.0) * bw):5:(($3 >= 10000 ? sprintf('%.0fk', $3/1000) : sprintf('%.4g', $3))) with labels \
			offset 0, 0.6 font ',7' notitle, \
		for [r=0:n-1] keyentry with boxes fs solid 0.85 lc rgb color(word(colors, r + 1)) \
			title word(labels, r + 1)
}
unset multiplot
