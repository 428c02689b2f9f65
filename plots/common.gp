# Shared by every ptbench chart (loaded first). Expects, from the command line
# (`ptbench plot` passes them; see render.sh in its output directory):
#   term  = 'png' or 'svg'       out = output file
# Optional: width, height (pixels). Labels are plain text (noenhanced), so an
# underscore in a role or op name is an underscore, not a subscript.
if (!exists("term")) term = 'png'
if (!exists("width")) width = 960
if (!exists("height")) height = 560
if (term eq 'svg') {
	set terminal svg size width, height dynamic font 'sans,11' background rgb 'white' noenhanced
} else {
	set terminal pngcairo size width, height font 'sans,10' background rgb 'white' noenhanced
}
set termoption noenhanced
set encoding utf8
if (exists("out")) set output out

# Okabe-Ito colours (tell-apart for colour-blind readers), one per result,
# then five of Paul Tol's muted set, so that a chart of up to twelve results
# (a release catalogue) gives each its own colour: color(i) for result i
# counted from 0, the same result the same colour on every chart.
palette = "#0072B2 #D55E00 #009E73 #CC79A7 #E69F00 #56B4E9 #000000 #882255 #44AA99 #999933 #AA4499 #DDCC77"
color(i) = word(palette, int(i) % words(palette) + 1)

set border 3 lw 1
set tics nomirror out
set grid xtics ytics mxtics mytics lc rgb '#e4e4e4' lw 1, lc rgb '#f2f2f2' lw 1
# the key goes under the plot, clear of the curves, a blank line below the
# x label; NaN in a data file breaks a line (no sample in that interval)
set key below left Left reverse samplen 3 spacing 1.1 maxrows 4 width 2 height 1

