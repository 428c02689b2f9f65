# Loaded by the charts with a log y axis, after `scale` is known. A log axis
# that spans few decades shows only one or two powers of ten: label 2x and 5x
# too, so a reader can tell 30 from 50. ylo/yhi: the smallest and largest
# value drawn, in ns.
# (1.0 *: the values may arrive as integers, and gnuplot divides those as C does)
if (exists("ylo") && exists("yhi") && ylo > 0 && 1.0 * yhi / ylo < 1e3) {
	elo = floor(log10(1.0 * ylo / scale)) - 1
	ehi = ceil(log10(1.0 * yhi / scale))
	do for [e=elo:ehi] {
		set ytics add (sprintf("%g", 2 * 10.0**e) 2 * 10.0**e, sprintf("%g", 5 * 10.0**e) 5 * 10.0**e)
	}
}
