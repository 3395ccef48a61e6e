<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
  <context>
    <name>HyperspectralCrnn</name>
    <message>
      <source>Hyperspectral CRNN</source>
      <translation>Hyperspektrales CRNN</translation>
    </message>
    <message>
      <source>Cube file</source>
      <translation>Würfeldatei</translation>
    </message>
    <message>
      <source>Cubes (*.mat *.npy *.npz *.h5 *.he5 *.hdf5 *.nc *.tif *.tiff *.img *.dat *.hdr *.bsq *.bil *.bip *.raw);;MATLAB v5 (*.mat);;NumPy (*.npy *.npz);;HDF5 / netCDF (*.h5 *.he5 *.hdf5 *.nc);;All files (*.*)</source>
      <translation>Würfel (*.mat *.npy *.npz *.h5 *.he5 *.hdf5 *.nc *.tif *.tiff *.img *.dat *.hdr *.bsq *.bil *.bip *.raw);;MATLAB v5 (*.mat);;NumPy (*.npy *.npz);;HDF5 / netCDF (*.h5 *.he5 *.hdf5 *.nc);;Alle Dateien (*.*)</translation>
    </message>
    <message>
      <source>A .mat (MATLAB v4-v7; v7.3/HDF5 is not supported), .npy / .npz, an HDF5 / netCDF file (.h5, .he5, .nc; also a subdataset such as HDF5:"f.h5"://group/cube; a PRISMA L2 .he5 gives its VNIR and SWIR cubes by wavelength), or any raster GDAL reads (ENVI: the data file or its .hdr; wavelengths, FWHM, bad bands and scale factors are carried into the GeoTIFF).</source>
      <translation>Eine .mat-Datei (MATLAB v4-v7; v7.3/HDF5 wird nicht unterstützt), .npy / .npz, eine HDF5- / netCDF-Datei (.h5, .he5, .nc; auch ein Subdatensatz wie HDF5:"f.h5"://gruppe/wuerfel; eine PRISMA-L2-.he5 liefert ihre VNIR- und SWIR-Würfel nach Wellenlänge) oder ein beliebiges von GDAL lesbares Raster (ENVI: die Datendatei oder ihre .hdr; Wellenlängen, FWHM, schlechte Bänder und Skalierungsfaktoren werden ins GeoTIFF übernommen).</translation>
    </message>
    <message>
      <source>Cube variable</source>
      <translation>Würfelvariable</translation>
    </message>
    <message>
      <source>The array's name in a .mat / .npz file (default: the largest 3-D array) or in an HDF5 / netCDF file (its full path or last name; default: the only 3-D array, else the log lists them with their sizes).</source>
      <translation>Der Name des Arrays in einer .mat- / .npz-Datei (Standard: das größte 3-D-Array) oder in einer HDF5- / netCDF-Datei (sein vollständiger Pfad oder letzter Name; Standard: das einzige 3-D-Array, sonst listet das Protokoll sie mit ihren Größen auf).</translation>
    </message>
    <message>
      <source>Axis order of the array</source>
      <translation>Achsenreihenfolge des Arrays</translation>
    </message>
    <message>
      <source>default</source>
      <translation>Standard</translation>
    </message>
    <message>
      <source>How a 3-D array's axes are stored, first axis first (rows_cols_bands = BIP; bands_rows_cols = BSQ; rows_bands_cols = BIL, as PRISMA stores it). 'auto' recognises it from the product, the dimension names, the ground truth's size or the array's sizes, and asks for it where none of them decides. Not used for rasters GDAL reads.</source>
      <translation>Wie die Achsen eines 3-D-Arrays gespeichert sind, die erste Achse zuerst (rows_cols_bands = BIP; bands_rows_cols = BSQ; rows_bands_cols = BIL, wie PRISMA speichert). 'auto' erkennt sie am Produkt, an den Dimensionsnamen, an der Größe der Referenz oder an den Größen des Arrays und fragt nach ihr, wo nichts davon entscheidet. Für von GDAL gelesene Raster nicht verwendet.</translation>
    </message>
    <message>
      <source>Ground truth file</source>
      <translation>Referenzdatei (Ground Truth)</translation>
    </message>
    <message>
      <source>Optional: class ids (0 = unlabelled) of the same rows and columns, as .mat, .npy, .npz, a raster, or an array of an HDF5 / netCDF container.</source>
      <translation>Optional: Klassen-IDs (0 = ohne Label) derselben Zeilen und Spalten, als .mat, .npy, .npz, ein Raster oder ein Array eines HDF5- / netCDF-Containers.</translation>
    </message>
    <message>
      <source>Ground truth variable</source>
      <translation>Referenzvariable (Ground Truth)</translation>
    </message>
    <message>
      <source>Its name in a .mat / .npz file. Default: the 2-D array of the cube's size.</source>
      <translation>Sein Name in einer .mat- / .npz-Datei. Standard: das 2-D-Array in der Größe des Würfels.</translation>
    </message>
    <message>
      <source>CRS</source>
      <translation>KBS</translation>
    </message>
    <message>
      <source>Optional CRS assigned to the outputs (no reprojection). A raster input keeps its own CRS unless one is given here.</source>
      <translation>Optionales KBS, das den Ausgaben zugewiesen wird (keine Umprojektion). Ein Raster als Eingabe behält sein eigenes KBS, sofern hier keines angegeben ist.</translation>
    </message>
    <message>
      <source>Pixel size</source>
      <translation>Pixelgröße</translation>
    </message>
    <message>
      <source>Pixel side in CRS units, for arrays (and rasters without georeferencing).</source>
      <translation>Pixelkantenlänge in Einheiten des KBS, für Arrays (und Raster ohne Georeferenzierung).</translation>
    </message>
    <message>
      <source>Top-left X</source>
      <translation>X oben links</translation>
    </message>
    <message>
      <source>X of the image's top-left corner.</source>
      <translation>X der oberen linken Ecke des Bildes.</translation>
    </message>
    <message>
      <source>Top-left Y</source>
      <translation>Y oben links</translation>
    </message>
    <message>
      <source>Y of the image's top-left corner; rows go down (towards smaller Y), columns right.</source>
      <translation>Y der oberen linken Ecke des Bildes; Zeilen verlaufen nach unten (zu kleinerem Y), Spalten nach rechts.</translation>
    </message>
    <message>
      <source>Class names</source>
      <translation>Klassennamen</translation>
    </message>
    <message>
      <source>Optional comma-separated names of classes 1, 2, ... K; missing ones are 'Class N'.</source>
      <translation>Optionale, durch Kommas getrennte Namen der Klassen 1, 2, ... K; fehlende heißen 'Class N'.</translation>
    </message>
    <message>
      <source>Cube (GeoTIFF)</source>
      <translation>Würfel (GeoTIFF)</translation>
    </message>
    <message>
      <source>The cube as a tiled, DEFLATE-compressed GeoTIFF in the array's data type (integers stay integers), with each band's wavelength, FWHM, bad-band flag and scale where the input has them; shown in true colour (bands near 640 / 550 / 460 nm, stretched) where it has visible wavelengths.</source>
      <translation>Der Würfel als gekacheltes, DEFLATE-komprimiertes GeoTIFF im Datentyp des Arrays (Ganzzahlen bleiben Ganzzahlen), mit Wellenlänge, FWHM, Schlechtband-Kennung und Skalierung jedes Bandes, wo die Eingabe sie hat; in Echtfarben dargestellt (Bänder nahe 640 / 550 / 460 nm, gestreckt), wo sie sichtbare Wellenlängen hat.</translation>
    </message>
    <message>
      <source>Label raster</source>
      <translation>Label-Raster</translation>
    </message>
    <message>
      <source>The ground truth as a label raster: smallest integer type, nodata 0, a colour table and the class names.</source>
      <translation>Die Referenz als Label-Raster: kleinster Ganzzahltyp, NoData 0, eine Farbtabelle und die Klassennamen.</translation>
    </message>
    <message>
      <source>Class polygons</source>
      <translation>Klassenpolygone</translation>
    </message>
    <message>
      <source>The ground truth's class regions as polygons, fields class_id (integer) and class (name): ready as training or reference polygons.</source>
      <translation>Die Klassenflächen der Referenz als Polygone mit den Feldern class_id (Ganzzahl) und class (Name): direkt als Trainings- oder Referenzpolygone verwendbar.</translation>
    </message>
    <message>
      <source>Import hyperspectral cube</source>
      <translation>Hyperspektralen Würfel importieren</translation>
    </message>
    <message>
      <source>Data</source>
      <translation>Daten</translation>
    </message>
    <message>
      <source>Writes a hyperspectral cube from a MATLAB .mat, NumPy .npy/.npz, HDF5 / netCDF (PRISMA L2, NASA EMIT L2A put on its map grid, ...) or any GDAL-readable file (ENVI, an EnMAP L2A product ZIP as downloaded, ...) as a GeoTIFF, with its band wavelengths where the input has them. Classic benchmark scenes have no map coordinates: they are placed on a north-up grid with the given pixel size, top-left corner and CRS. With a ground-truth array it also writes a label raster and polygons of the class regions, for training and accuracy assessment.</source>
      <translation>Schreibt einen hyperspektralen Würfel aus einer MATLAB-.mat-, NumPy-.npy/.npz-, HDF5- / netCDF- (PRISMA L2, NASA EMIT L2A auf sein Kartengitter gelegt, ...) oder einer beliebigen von GDAL lesbaren Datei (ENVI, ein EnMAP-L2A-Produkt-ZIP wie heruntergeladen, ...) als GeoTIFF, mit den Wellenlängen der Bänder, wo die Eingabe sie hat. Klassische Benchmark-Szenen haben keine Kartenkoordinaten: Sie werden auf ein nordausgerichtetes Gitter mit der angegebenen Pixelgröße, Ecke oben links und dem KBS gelegt. Mit einem Ground-Truth-Array schreibt der Algorithmus außerdem ein Label-Raster und Polygone der Klassenflächen für Training und Genauigkeitsbewertung.</translation>
    </message>
    <message>
      <source>Rest the pointer on a parameter for its help.</source>
      <translation>Halten Sie den Mauszeiger über einen Parameter, um seine Hilfe zu sehen.</translation>
    </message>
    <message>
      <source>Hyperspectral raster</source>
      <translation>Hyperspektrales Raster</translation>
    </message>
    <message>
      <source>The hyperspectral raster.</source>
      <translation>Das hyperspektrale Raster.</translation>
    </message>
    <message>
      <source>Bands (none selected = all)</source>
      <translation>Bänder (keines gewählt = alle)</translation>
    </message>
    <message>
      <source>Bands to use (default: all but those the file flags bad, e.g. an ENVI header's bbl list). Bands with no data under the training polygons are left out either way, with a line in the log.</source>
      <translation>Zu verwendende Kanäle (Standard: alle außer denen, die die Datei als schlecht markiert, z. B. die bbl-Liste eines ENVI-Headers). Kanäle ohne Daten unter den Trainingspolygonen werden in jedem Fall weggelassen, mit einer Zeile im Protokoll.</translation>
    </message>
    <message>
      <source>Wavelength ranges to leave out (nm)</source>
      <translation>Auszulassende Wellenlängenbereiche (nm)</translation>
    </message>
    <message>
      <source>Optional: ranges in nanometres, e.g. '1340-1460, 1790-1960' (the water-vapour absorption bands). Needs a raster whose bands carry wavelengths (docs/sensors.md).</source>
      <translation>Optional: Bereiche in Nanometern, z. B. '1340-1460, 1790-1960' (die Wasserdampf-Absorptionskanäle). Erfordert ein Raster, dessen Kanäle Wellenlängen tragen (docs/sensors.md).</translation>
    </message>
    <message>
      <source>Training polygons</source>
      <translation>Trainingspolygone</translation>
    </message>
    <message>
      <source>Training polygons.</source>
      <translation>Trainingspolygone.</translation>
    </message>
    <message>
      <source>Class field</source>
      <translation>Klassenfeld</translation>
    </message>
    <message>
      <source>The class of each polygon: integer values or text names.</source>
      <translation>Die Klasse jedes Polygons: ganzzahlige Werte oder Textnamen.</translation>
    </message>
    <message>
      <source>Class name field (for an integer class field)</source>
      <translation>Klassennamenfeld (für ein ganzzahliges Klassenfeld)</translation>
    </message>
    <message>
      <source>Optional, with an integer CLASS_FIELD: a text field naming each class (else the names of a categorized style, else 'Class N').</source>
      <translation>Optional, bei ganzzahligem CLASS_FIELD: ein Textfeld, das jede Klasse benennt (sonst die Namen eines kategorisierten Stils, sonst 'Class N').</translation>
    </message>
    <message>
      <source>Training pixels per class (0 = all)</source>
      <translation>Trainingspixel pro Klasse (0 = alle)</translation>
    </message>
    <message>
      <source>At most this many pixels of each class are drawn (with SEED) from the polygons; the paper trains from 50-300 per class.</source>
      <translation>Höchstens so viele Pixel jeder Klasse werden (mit SEED) aus den Polygonen gezogen; der Artikel trainiert mit 50-300 pro Klasse.</translation>
    </message>
    <message>
      <source>Validation fraction</source>
      <translation>Validierungsanteil</translation>
    </message>
    <message>
      <source>Share of each class's pixels held out to watch validation loss and accuracy and to choose the epoch whose weights are kept. Every class keeps training pixels; the log says the share held out per class.</source>
      <translation>Anteil der Pixel jeder Klasse, der zurückgehalten wird, um Validierungsverlust und -genauigkeit zu beobachten und die Epoche zu wählen, deren Gewichte behalten werden. Jede Klasse behält Trainingspixel; das Protokoll nennt den zurückgehaltenen Anteil je Klasse.</translation>
    </message>
    <message>
      <source>Validation split</source>
      <translation>Validierungsaufteilung</translation>
    </message>
    <message>
      <source>'polygon' holds out whole polygons whose pixels add up near the share (else the last rows of the class's largest polygon), so validation pixels are not neighbours of training pixels (honest accuracy); 'pixel' holds out single pixels.</source>
      <translation>'polygon' hält ganze Polygone zurück, deren Pixel zusammen nahe am Anteil liegen (sonst die letzten Zeilen des größten Polygons der Klasse), sodass Validierungspixel keine Nachbarn von Trainingspixeln sind (ehrliche Genauigkeit); 'pixel' hält einzelne Pixel zurück.</translation>
    </message>
    <message>
      <source>Use all pixels touched by the polygons</source>
      <translation>Alle von den Polygonen berührten Pixel verwenden</translation>
    </message>
    <message>
      <source>By default a pixel is taken when its centre lies inside a polygon.</source>
      <translation>Standardmäßig wird ein Pixel genommen, wenn sein Mittelpunkt in einem Polygon liegt.</translation>
    </message>
    <message>
      <source>Also learn from unlabelled pixels (semi-supervised)</source>
      <translation>Auch aus nicht gelabelten Pixeln lernen (teilüberwacht)</translation>
    </message>
    <message>
      <source>For few training pixels (tens per class): each label is also given to alike pixels within 3 pixels of it (spectral angle under 0.08 radians, more where the scene is noisy; a pixel two classes reach takes none). Training then takes about 2-3x as long. It suits fields wider than a few pixels (figures: docs/benchmarks_few_labels.md). The log, the model file and the report say how many pixels were grown and how many of the validation pixels they label right.</source>
      <translation>Für wenige Trainingspixel (Dutzende je Klasse): Jedes Label wird auch an ähnliche Pixel im Umkreis von 3 Pixeln vergeben (Spektralwinkel unter 0,08 Radiant, mehr, wo die Szene verrauscht ist; ein Pixel, das zwei Klassen erreichen, erhält keines). Das Training dauert dann etwa 2-3-mal so lange. Es eignet sich für Felder, die breiter als einige Pixel sind (Zahlen: docs/benchmarks_few_labels.md). Protokoll, Modelldatei und Bericht nennen, wie viele Pixel hinzugewonnen wurden und wie viele der Validierungspixel sie richtig beschriften.</translation>
    </message>
    <message>
      <source>Epochs</source>
      <translation>Epochen</translation>
    </message>
    <message>
      <source>Passes over the training pixels (early stopping may end training sooner).</source>
      <translation>Durchläufe über die Trainingspixel (frühes Stoppen kann das Training eher beenden).</translation>
    </message>
    <message>
      <source>Batch size</source>
      <translation>Batchgröße</translation>
    </message>
    <message>
      <source>Pixels per optimisation step.</source>
      <translation>Pixel pro Optimierungsschritt.</translation>
    </message>
    <message>
      <source>Learning rate</source>
      <translation>Lernrate</translation>
    </message>
    <message>
      <source>Peak learning rate of the one-cycle schedule.</source>
      <translation>Höchste Lernrate des One-Cycle-Zeitplans.</translation>
    </message>
    <message>
      <source>Random seed</source>
      <translation>Zufallsstartwert</translation>
    </message>
    <message>
      <source>The same inputs and seed give the same model on the CPU.</source>
      <translation>Dieselben Eingaben und derselbe Startwert ergeben auf der CPU dasselbe Modell.</translation>
    </message>
    <message>
      <source>Device</source>
      <translation>Gerät</translation>
    </message>
    <message>
      <source>'auto' uses a CUDA GPU when torch sees one, else the CPU.</source>
      <translation>'auto' nutzt eine CUDA-GPU, wenn torch eine findet, sonst die CPU.</translation>
    </message>
    <message>
      <source>Weight decay</source>
      <translation>Gewichtsabnahme (Weight Decay)</translation>
    </message>
    <message>
      <source>AdamW weight decay.</source>
      <translation>Weight Decay von AdamW.</translation>
    </message>
    <message>
      <source>Early-stopping patience (epochs, 0 = off)</source>
      <translation>Geduld für frühes Stoppen (Epochen, 0 = aus)</translation>
    </message>
    <message>
      <source>Training stops when the validation loss has not improved for this many epochs; the best epoch's weights are kept either way.</source>
      <translation>Das Training endet, wenn sich der Validierungsverlust so viele Epochen lang nicht verbessert hat; die Gewichte der besten Epoche werden in jedem Fall behalten.</translation>
    </message>
    <message>
      <source>Mixup strength</source>
      <translation>Mixup-Stärke</translation>
    </message>
    <message>
      <source>Each batch is trained on blends of pixel pairs with a Beta(a, a) weight (0 = off).</source>
      <translation>Jeder Batch wird mit Mischungen von Pixelpaaren trainiert, gewichtet mit Beta(a, a) (0 = aus).</translation>
    </message>
    <message>
      <source>Weight averaging (EMA decay)</source>
      <translation>Gewichtsmittelung (EMA-Abklingfaktor)</translation>
    </message>
    <message>
      <source>The model kept is an exponential moving average of the weights (0 = off).</source>
      <translation>Das gespeicherte Modell ist ein exponentiell gleitender Mittelwert der Gewichte (0 = aus).</translation>
    </message>
    <message>
      <source>Class weighting</source>
      <translation>Klassengewichtung</translation>
    </message>
    <message>
      <source>Weights each class's loss by (largest class's pixel count / its count) to this power: 0 = every pixel counts the same, 1 = every class does.</source>
      <translation>Gewichtet den Verlust jeder Klasse mit (Pixelzahl der größten Klasse / ihrer Pixelzahl) hoch diesem Exponenten: 0 = jedes Pixel zählt gleich, 1 = jede Klasse zählt gleich.</translation>
    </message>
    <message>
      <source>Label smoothing</source>
      <translation>Label-Glättung</translation>
    </message>
    <message>
      <source>Cross-entropy label smoothing.</source>
      <translation>Label-Glättung der Kreuzentropie.</translation>
    </message>
    <message>
      <source>Input window (spectral-spatial option)</source>
      <translation>Eingabefenster (spektral-räumliche Option)</translation>
    </message>
    <message>
      <source>1 (the paper's method): the network reads each pixel's own spectrum and the LOP adds the spatial part. 3, 5, ...: it reads the mean spectrum of the pixels in that window around each pixel, in training and classification alike. It raises accuracy where test pixels lie close to training pixels, far less where they lie away from them (docs/benchmarks.md, docs/benchmarks_blocked.md): try it on data you can check. It blurs details smaller than the window.</source>
      <translation>1 (die Methode des Artikels): Das Netz liest das eigene Spektrum jedes Pixels, der LOP fügt den räumlichen Teil hinzu. 3, 5, ...: Es liest das mittlere Spektrum der Pixel in diesem Fenster um jedes Pixel, beim Training wie bei der Klassifikation. Es hebt die Genauigkeit, wo Testpixel nahe bei Trainingspixeln liegen, weit weniger, wo sie abseits liegen (docs/benchmarks.md, docs/benchmarks_blocked.md): Prüfen Sie es an Daten, die Sie kontrollieren können. Es verwischt Details, die kleiner als das Fenster sind.</translation>
    </message>
    <message>
      <source>Scale each spectrum to unit length</source>
      <translation>Jedes Spektrum auf Einheitslänge skalieren</translation>
    </message>
    <message>
      <source>Divides each pixel's spectrum by its Euclidean length before the per-band standardisation, so brightness differences within a class (shading, illumination, moisture) drop out and the spectrum's shape stays; on Indian Pines it raised accuracy alone and after the LOP (docs/ablation.md). Turn it off where classes differ mainly in brightness (dark and bright surfaces of one material, water and shadow).</source>
      <translation>Teilt das Spektrum jedes Pixels vor der bandweisen Standardisierung durch seine euklidische Länge, sodass Helligkeitsunterschiede innerhalb einer Klasse (Schattierung, Beleuchtung, Feuchte) wegfallen und die Form des Spektrums bleibt; auf Indian Pines hob es die Genauigkeit allein und nach dem LOP (docs/ablation.md). Schalten Sie es ab, wo sich Klassen vor allem in der Helligkeit unterscheiden (dunkle und helle Flächen eines Materials, Wasser und Schatten).</translation>
    </message>
    <message>
      <source>Convolution channels per block</source>
      <translation>Faltungskanäle pro Block</translation>
    </message>
    <message>
      <source>Comma-separated filter counts, one per 1-D convolution block. Fewer channels (e.g. 16,32,32) train and classify faster for slightly lower accuracy (docs/ablation.md).</source>
      <translation>Durch Kommas getrennte Filteranzahlen, eine pro 1-D-Faltungsblock. Weniger Kanäle (z. B. 16,32,32) trainieren und klassifizieren schneller, bei etwas geringerer Genauigkeit (docs/ablation.md).</translation>
    </message>
    <message>
      <source>Convolution kernel sizes</source>
      <translation>Kernelgrößen der Faltungen</translation>
    </message>
    <message>
      <source>Comma-separated, one per block.</source>
      <translation>Durch Kommas getrennt, eine pro Block.</translation>
    </message>
    <message>
      <source>Stride of the first convolution</source>
      <translation>Schrittweite der ersten Faltung</translation>
    </message>
    <message>
      <source>2 halves the spectrum before the first pooling.</source>
      <translation>2 halbiert das Spektrum vor dem ersten Pooling.</translation>
    </message>
    <message>
      <source>Max-pool sizes</source>
      <translation>Max-Pooling-Größen</translation>
    </message>
    <message>
      <source>Comma-separated, one per block; each divides the spectral sequence length.</source>
      <translation>Durch Kommas getrennt, eine pro Block; jede teilt die Länge der spektralen Sequenz.</translation>
    </message>
    <message>
      <source>Batch normalisation</source>
      <translation>Batch-Normalisierung</translation>
    </message>
    <message>
      <source>Batch norm after each convolution.</source>
      <translation>Batch-Normalisierung nach jeder Faltung.</translation>
    </message>
    <message>
      <source>Recurrent layer</source>
      <translation>Rekurrente Schicht</translation>
    </message>
    <message>
      <source>gru (default), lstm or rnn. An LSTM trains faster on a CPU for slightly lower accuracy (docs/ablation.md).</source>
      <translation>gru (Standard), lstm oder rnn. Ein LSTM trainiert auf einer CPU schneller, bei etwas geringerer Genauigkeit (docs/ablation.md).</translation>
    </message>
    <message>
      <source>Recurrent hidden size</source>
      <translation>Größe des rekurrenten Zustands</translation>
    </message>
    <message>
      <source>Units per recurrent layer.</source>
      <translation>Einheiten pro rekurrenter Schicht.</translation>
    </message>
    <message>
      <source>Recurrent layers</source>
      <translation>Rekurrente Schichten</translation>
    </message>
    <message>
      <source>Stacked recurrent layers.</source>
      <translation>Gestapelte rekurrente Schichten.</translation>
    </message>
    <message>
      <source>Readout</source>
      <translation>Auslese</translation>
    </message>
    <message>
      <source>'last': the last recurrent state feeds the classifier (the paper's); 'mean': the mean of all states.</source>
      <translation>'last': der letzte rekurrente Zustand speist den Klassifikator (wie im Artikel); 'mean': der Mittelwert aller Zustände.</translation>
    </message>
    <message>
      <source>Dropout</source>
      <translation>Dropout</translation>
    </message>
    <message>
      <source>Dropout between recurrent layers and before the classifier.</source>
      <translation>Dropout zwischen den rekurrenten Schichten und vor dem Klassifikator.</translation>
    </message>
    <message>
      <source>Model file</source>
      <translation>Modelldatei</translation>
    </message>
    <message>
      <source>CRNN model (*.crnn)</source>
      <translation>CRNN-Modell (*.crnn)</translation>
    </message>
    <message>
      <source>The model file (.crnn).</source>
      <translation>Die Modelldatei (.crnn).</translation>
    </message>
    <message>
      <source>Training report</source>
      <translation>Trainingsbericht</translation>
    </message>
    <message>
      <source>HTML files (*.html *.htm)</source>
      <translation>HTML-Dateien (*.html *.htm)</translation>
    </message>
    <message>
      <source>Optional HTML training report: loss and accuracy curves, the classes with their pixels and mean spectra, what the first convolution layer responds to, the architecture and hyperparameters, and the validation confusion matrix.</source>
      <translation>Optionaler HTML-Trainingsbericht: Verlust- und Genauigkeitskurven, die Klassen mit ihren Pixeln und mittleren Spektren, worauf die erste Faltungsschicht anspricht, Architektur und Hyperparameter sowie die Konfusionsmatrix der Validierung.</translation>
    </message>
    <message>
      <source>Validation accuracy</source>
      <translation>Validierungsgenauigkeit</translation>
    </message>
    <message>
      <source>Train CRNN</source>
      <translation>CRNN trainieren</translation>
    </message>
    <message>
      <source>Classification</source>
      <translation>Klassifikation</translation>
    </message>
    <message>
      <source>Trains the CRNN of Wu &amp; Prasad (2017) on the pixels under the training polygons: each pixel's spectrum goes through 1-D convolution and max-pooling layers, then stacked recurrent layers and a softmax. Polygons in any CRS are reprojected to the raster's; a pixel is taken when its centre lies inside a polygon; pixels with nodata are dropped. The class field may be integer (its values become the class raster's pixel values) or text (classes get ids 1..K in sorted order and keep their names). The model file keeps the weights, the bands, the normalisation and the classes.</source>
      <translation>Trainiert das CRNN von Wu &amp; Prasad (2017) auf den Pixeln unter den Trainingspolygonen: Das Spektrum jedes Pixels durchläuft 1-D-Faltungs- und Max-Pooling-Schichten, dann gestapelte rekurrente Schichten und ein Softmax. Polygone in beliebigem KBS werden in das KBS des Rasters umprojiziert; ein Pixel wird genommen, wenn sein Mittelpunkt in einem Polygon liegt; Pixel mit NoData werden verworfen. Das Klassenfeld kann ganzzahlig sein (seine Werte werden zu den Pixelwerten des Klassenrasters) oder Text (die Klassen erhalten die IDs 1..K in sortierter Reihenfolge und behalten ihre Namen). Die Modelldatei enthält die Gewichte, die Bänder, die Normalisierung und die Klassen.</translation>
    </message>
    <message>
      <source>The hyperspectral raster. The model's bands are found by wavelength where both have wavelengths (in any order, among more bands), else by number: the raster must then have the training raster's bands.</source>
      <translation>Das Hyperspektralraster. Die Kanäle des Modells werden über die Wellenlänge gefunden, wo beide Wellenlängen haben (in beliebiger Reihenfolge, unter weiteren Kanälen), sonst über die Nummer: das Raster muss dann die Kanäle des Trainingsrasters haben.</translation>
    </message>
    <message>
      <source>A model file written by 'Train CRNN'.</source>
      <translation>Eine von 'CRNN trainieren' geschriebene Modelldatei.</translation>
    </message>
    <message>
      <source>Resample spectra to the model's wavelengths</source>
      <translation>Spektren auf die Wellenlängen des Modells umrechnen</translation>
    </message>
    <message>
      <source>Where the raster lacks some of the model's wavelengths, interpolate its spectra linearly onto them (never beyond the raster's range) instead of refusing.</source>
      <translation>Wo dem Raster einige Wellenlängen des Modells fehlen, werden seine Spektren linear auf diese interpoliert (nie über den Bereich des Rasters hinaus), statt abzulehnen.</translation>
    </message>
    <message>
      <source>Network arithmetic (precision)</source>
      <translation>Rechengenauigkeit des Netzes</translation>
    </message>
    <message>
      <source>float32 (default), bfloat16, or auto: bfloat16 on a CPU that computes it natively (AVX512-BF16 or AMX), float16 on a CUDA GPU, else float32. On the CPU measured bfloat16 was barely faster, and its map differs from float32's on about 0.1 % of the pixels (figures: docs/inference.md).</source>
      <translation>float32 (Standard), bfloat16 oder auto: bfloat16 auf einer CPU, die es nativ rechnet (AVX512-BF16 oder AMX), float16 auf einer CUDA-GPU, sonst float32. Auf der gemessenen CPU war bfloat16 kaum schneller, und seine Karte weicht auf etwa 0,1 % der Pixel von der float32-Karte ab (Zahlen: docs/inference.md).</translation>
    </message>
    <message>
      <source>LOP window (odd, pixels)</source>
      <translation>LOP-Fenster (ungerade, Pixel)</translation>
    </message>
    <message>
      <source>Side of the linear opinion pool window: 1 = no fusion, 3 = the paper's 3x3.</source>
      <translation>Seitenlänge des Fensters des linearen Meinungspools: 1 = keine Fusion, 3 = das 3x3 des Artikels.</translation>
    </message>
    <message>
      <source>LOP weights</source>
      <translation>LOP-Gewichte</translation>
    </message>
    <message>
      <source>uniform (the paper's), gaussian (nearer neighbours count more) or edge (neighbours weighted by spectral similarity, so fields' edges stay sharp).</source>
      <translation>uniform (wie im Artikel), gaussian (nähere Nachbarn zählen mehr) oder edge (Nachbarn nach spektraler Ähnlichkeit gewichtet, sodass Feldränder scharf bleiben).</translation>
    </message>
    <message>
      <source>LOP iterations</source>
      <translation>LOP-Iterationen</translation>
    </message>
    <message>
      <source>How many times the pool is applied.</source>
      <translation>Wie oft der Pool angewendet wird.</translation>
    </message>
    <message>
      <source>The class raster: class values of the training field, a colour table and the class names.</source>
      <translation>Das Klassenraster: Klassenwerte des Trainingsfeldes, eine Farbtabelle und die Klassennamen.</translation>
    </message>
    <message>
      <source>Class probabilities</source>
      <translation>Klassenwahrscheinlichkeiten</translation>
    </message>
    <message>
      <source>Optional: one Float32 band per class (after fusion).</source>
      <translation>Optional: ein Float32-Band pro Klasse (nach der Fusion).</translation>
    </message>
    <message>
      <source>Confidence</source>
      <translation>Konfidenz</translation>
    </message>
    <message>
      <source>Optional: the winning class's probability.</source>
      <translation>Optional: die Wahrscheinlichkeit der gewinnenden Klasse.</translation>
    </message>
    <message>
      <source>Dask scheduler (big jobs)</source>
      <translation>Dask-Scheduler (große Aufträge)</translation>
    </message>
    <message>
      <source>Optional: the address of a running Dask scheduler, e.g. tcp://192.168.1.10:8786. The raster is then classified in tiles on the cluster's workers, which read it under the same path (a shared folder, or a GDAL path such as /vsis3/...) and need the plugin, torch and GDAL (docs/scaling.md); the map is the same. Empty: on this computer.</source>
      <translation>Optional: die Adresse eines laufenden Dask-Schedulers, z. B. tcp://192.168.1.10:8786. Das Raster wird dann in Kacheln auf den Workern des Clusters klassifiziert, die es unter demselben Pfad lesen (ein gemeinsamer Ordner oder ein GDAL-Pfad wie /vsis3/...) und das Plugin, torch und GDAL brauchen (docs/scaling.md); die Karte ist dieselbe. Leer: auf diesem Rechner.</translation>
    </message>
    <message>
      <source>Classify with CRNN</source>
      <translation>Mit CRNN klassifizieren</translation>
    </message>
    <message>
      <source>Classifies every pixel of the raster with a trained CRNN, then fuses the class posteriors of neighbouring pixels with a linear opinion pool (LOP): a pixel's posterior becomes the weighted mean of its neighbours' posteriors, which removes salt-and-pepper noise since neighbours tend to share a class. The raster is read block by block, so any size works in bounded memory; pixels with nodata in any used band stay nodata and do not vote.</source>
      <translation>Klassifiziert jedes Pixel des Rasters mit einem trainierten CRNN und fusioniert dann die Klassen-Posteriors benachbarter Pixel mit einem linearen Meinungspool (LOP): Das Posterior eines Pixels wird zum gewichteten Mittel der Posteriors seiner Nachbarn, was Salz-und-Pfeffer-Rauschen entfernt, da Nachbarn meist dieselbe Klasse haben. Das Raster wird blockweise gelesen, sodass jede Größe mit begrenztem Speicher funktioniert; Pixel mit NoData in einem verwendeten Band bleiben NoData und stimmen nicht mit ab.</translation>
    </message>
    <message>
      <source>Optional: keep the trained model file to classify other rasters later.</source>
      <translation>Optional: die trainierte Modelldatei behalten, um später andere Raster zu klassifizieren.</translation>
    </message>
    <message>
      <source>Train and classify (one click)</source>
      <translation>Trainieren und klassifizieren (ein Klick)</translation>
    </message>
    <message>
      <source>Class probabilities (one band per class)</source>
      <translation>Klassenwahrscheinlichkeiten (ein Band pro Klasse)</translation>
    </message>
    <message>
      <source>The class-probability raster.</source>
      <translation>Das Raster der Klassenwahrscheinlichkeiten.</translation>
    </message>
    <message>
      <source>Fused probabilities</source>
      <translation>Fusionierte Wahrscheinlichkeiten</translation>
    </message>
    <message>
      <source>Smooth class probabilities (LOP)</source>
      <translation>Klassenwahrscheinlichkeiten glätten (LOP)</translation>
    </message>
    <message>
      <source>Applies the linear opinion pool (LOP) to a class-probability raster, ours or another tool's (one band per class, e.g. a random forest's or an SVM's posteriors): each pixel's posterior becomes the weighted mean of its neighbours', then the most probable class is mapped. Band k is class k (1..K); band descriptions become class names. The 'edge' weighting needs the spectra, so use it while classifying instead.</source>
      <translation>Wendet den linearen Meinungspool (LOP) auf ein Raster von Klassenwahrscheinlichkeiten an, aus diesem oder einem anderen Werkzeug (ein Band pro Klasse, z. B. die Posteriors eines Random Forest oder einer SVM): Das Posterior jedes Pixels wird zum gewichteten Mittel der Posteriors seiner Nachbarn, dann wird die wahrscheinlichste Klasse kartiert. Band k ist Klasse k (1..K); Bandbeschreibungen werden zu Klassennamen. Die Gewichtung 'edge' braucht die Spektren; verwenden Sie sie daher beim Klassifizieren.</translation>
    </message>
    <message>
      <source>A class raster (band 1 holds class ids, e.g. the output of 'Classify'). Pixels with its nodata value, 0 or NaN are 'unclassified' and count as errors.</source>
      <translation>Ein Klassenraster (Band 1 enthält Klassen-IDs, z. B. die Ausgabe von 'Classify'). Pixel mit seinem NoData-Wert, 0 oder NaN sind 'unklassifiziert' und zählen als Fehler.</translation>
    </message>
    <message>
      <source>Reference (points, polygons or raster)</source>
      <translation>Referenz (Punkte, Polygone oder Raster)</translation>
    </message>
    <message>
      <source>Points or polygons with a class field, in any CRS (reprojected to the classification's CRS; a point is the pixel under it, a polygon its pixels by centre), or a label raster on exactly the classification's grid (same size and geotransform; nodata and 0 are unlabelled).</source>
      <translation>Punkte oder Polygone mit einem Klassenfeld, in beliebigem KBS (in das KBS der Klassifikation umprojiziert; ein Punkt ist das Pixel darunter, ein Polygon seine Pixel nach Mittelpunkt), oder ein Label-Raster genau auf dem Raster der Klassifikation (gleiche Größe und Geotransformation; NoData und 0 sind unbeschriftet).</translation>
    </message>
    <message>
      <source>Reference class field (points and polygons)</source>
      <translation>Referenz-Klassenfeld (Punkte und Polygone)</translation>
    </message>
    <message>
      <source>The points' or polygons' class: integer class ids, or text class names matched to the classification's class names (case-insensitive).</source>
      <translation>Die Klasse der Punkte oder Polygone: ganzzahlige Klassen-IDs oder Klassennamen als Text, die mit den Klassennamen der Klassifikation abgeglichen werden (ohne Beachtung der Groß-/Kleinschreibung).</translation>
    </message>
    <message>
      <source>Sampling design (area and accuracy estimates)</source>
      <translation>Stichprobendesign (Schätzung von Fläche und Genauigkeit)</translation>
    </message>
    <message>
      <source>How the reference sample was drawn, for each class's area and the accuracies estimated with 95 % intervals, as good practice asks (Olofsson et al. 2014): 'stratified': stratified random points, the map's classes as strata; 'strata': stratified random in the STRATA raster's strata; 'simple': simple random or systematic; 'clusters': the polygons are a simple random sample of clusters. 'auto': stratified for points on a projected map, else no estimate; 'none': no estimate. Hand-drawn polygons are no probability sample: their estimates would mislead.</source>
      <translation>Wie die Referenzstichprobe gezogen wurde, für die Fläche jeder Klasse und die Genauigkeiten, geschätzt mit 95-%-Intervallen, wie es die gute Praxis verlangt (Olofsson et al. 2014): 'stratified': geschichtete Zufallspunkte, die Klassen der Karte als Schichten; 'strata': geschichtet zufällig in den Schichten des STRATA-Rasters; 'simple': einfache Zufallsstichprobe oder systematisch; 'clusters': die Polygone sind eine einfache Zufallsstichprobe von Clustern. 'auto': geschichtet für Punkte auf einer projizierten Karte, sonst keine Schätzung; 'none': keine Schätzung. Von Hand gezeichnete Polygone sind keine Wahrscheinlichkeitsstichprobe: ihre Schätzungen würden in die Irre führen.</translation>
    </message>
    <message>
      <source>Strata raster ('strata' design)</source>
      <translation>Schichtenraster (Design 'strata')</translation>
    </message>
    <message>
      <source>The strata the sample was drawn in, on the classification's grid: one value per stratum (nodata and 0: in no stratum).</source>
      <translation>Die Schichten, in denen die Stichprobe gezogen wurde, auf dem Raster der Klassifikation: ein Wert je Schicht (NoData und 0: in keiner Schicht).</translation>
    </message>
    <message>
      <source>Accuracy report</source>
      <translation>Genauigkeitsbericht</translation>
    </message>
    <message>
      <source>Optional HTML report (confusion matrix as a heat map, per-class accuracies). A JSON file with the same numbers is written beside it (same name, .json).</source>
      <translation>Optionaler HTML-Bericht (Konfusionsmatrix als Heatmap, Genauigkeiten pro Klasse). Daneben wird eine JSON-Datei mit denselben Zahlen geschrieben (gleicher Name, .json).</translation>
    </message>
    <message>
      <source>Accuracy (JSON)</source>
      <translation>Genauigkeit (JSON)</translation>
    </message>
    <message>
      <source>Overall accuracy</source>
      <translation>Gesamtgenauigkeit</translation>
    </message>
    <message>
      <source>Average accuracy</source>
      <translation>Mittlere Genauigkeit</translation>
    </message>
    <message>
      <source>Cohen's kappa</source>
      <translation>Cohens Kappa</translation>
    </message>
    <message>
      <source>Assess accuracy</source>
      <translation>Genauigkeit bewerten</translation>
    </message>
    <message>
      <source>Accuracy</source>
      <translation>Genauigkeit</translation>
    </message>
    <message>
      <source>Compares a class raster with reference labels and reports the confusion matrix (rows = reference, columns = predicted), overall accuracy (OA) with its 95 % Wilson confidence interval, average accuracy (AA, the mean producer's accuracy), Cohen's kappa, and producer's accuracy, user's accuracy and F1 per class. Reference pixels that the classification leaves unclassified count as errors (their number is reported). The classification is read in strips, so large rasters are fine. From a reference sample and its design (SAMPLING_DESIGN) it also estimates each class's area and the accuracies with 95 % intervals, which correct the map's pixel counts for its errors (Olofsson et al. 2014).</source>
      <translation>Vergleicht ein Klassenraster mit Referenzlabels und berichtet die Konfusionsmatrix (Zeilen = Referenz, Spalten = Vorhersage), die Gesamtgenauigkeit (OA) mit ihrem 95-%-Wilson-Konfidenzintervall, die mittlere Genauigkeit (AA, das Mittel der Herstellergenauigkeiten), Cohens Kappa sowie Hersteller- und Nutzergenauigkeit und F1 pro Klasse. Referenzpixel, die die Klassifikation unklassifiziert lässt, zählen als Fehler (ihre Anzahl wird berichtet). Die Klassifikation wird streifenweise gelesen, daher sind große Raster kein Problem. Aus einer Referenzstichprobe und ihrem Design (SAMPLING_DESIGN) schätzt es außerdem die Fläche jeder Klasse und die Genauigkeiten mit 95-%-Intervallen, die die Pixelzählungen der Karte um ihre Fehler bereinigen (Olofsson et al. 2014).</translation>
    </message>
    <message>
      <source>Outputs OVERALL_ACCURACY, AVERAGE_ACCURACY and KAPPA are numbers (0-1) in the result; OUTPUT_JSON is the JSON file written beside the report.</source>
      <translation>Die Ausgaben OVERALL_ACCURACY, AVERAGE_ACCURACY und KAPPA sind Zahlen (0-1) im Ergebnis; OUTPUT_JSON ist die neben dem Bericht geschriebene JSON-Datei.</translation>
    </message>
    <message>
      <source>The class map to sample (band 1 holds class ids, e.g. the output of 'Classify'); its classes are the strata. Pixels with its nodata value, 0 or NaN are not sampled.</source>
      <translation>Die zu beprobende Klassenkarte (Band 1 enthält Klassen-IDs, z. B. die Ausgabe von 'Classify'); ihre Klassen sind die Schichten. Pixel mit ihrem NoData-Wert, 0 oder NaN werden nicht gezogen.</translation>
    </message>
    <message>
      <source>Target standard error of overall accuracy</source>
      <translation>Angestrebter Standardfehler der Gesamtgenauigkeit</translation>
    </message>
    <message>
      <source>The sample is sized so that overall accuracy's standard error comes out about this large (0.01: a 95 % interval of about +-2 points; Olofsson et al. 2014, eq. 13).</source>
      <translation>Die Stichprobe wird so bemessen, dass der Standardfehler der Gesamtgenauigkeit etwa so groß ausfällt (0,01: ein 95-%-Intervall von etwa +-2 Punkten; Olofsson et al. 2014, Gl. 13).</translation>
    </message>
    <message>
      <source>Expected user's accuracies</source>
      <translation>Erwartete Nutzergenauigkeiten</translation>
    </message>
    <message>
      <source>What you expect each class's user's accuracy to be: one value for all classes (e.g. 0.8), and/or class:value pairs such as '0.8, 3:0.6'. Lower values ask for more points.</source>
      <translation>Die erwartete Nutzergenauigkeit jeder Klasse: ein Wert für alle Klassen (z. B. 0.8) und/oder Paare Klasse:Wert wie '0.8, 3:0.6'. Kleinere Werte verlangen mehr Punkte.</translation>
    </message>
    <message>
      <source>Sample size (0 = from the target standard error)</source>
      <translation>Stichprobenumfang (0 = aus dem angestrebten Standardfehler)</translation>
    </message>
    <message>
      <source>The number of points; 0 sizes the sample from TARGET_SE and USERS_ACCURACY.</source>
      <translation>Die Anzahl der Punkte; 0 bemisst die Stichprobe aus TARGET_SE und USERS_ACCURACY.</translation>
    </message>
    <message>
      <source>Allocation over the map's classes</source>
      <translation>Aufteilung auf die Klassen der Karte</translation>
    </message>
    <message>
      <source>'compromise': every class gets at least MIN_PER_CLASS points, the rest in proportion to the classes' areas (rare classes' accuracies need enough points); 'proportional': in proportion to area; 'equal': the same number per class.</source>
      <translation>'compromise': jede Klasse erhält mindestens MIN_PER_CLASS Punkte, der Rest im Verhältnis der Klassenflächen (die Genauigkeiten seltener Klassen brauchen genug Punkte); 'proportional': im Verhältnis der Fläche; 'equal': gleich viele je Klasse.</translation>
    </message>
    <message>
      <source>Points per class at least ('compromise')</source>
      <translation>Mindestens Punkte je Klasse ('compromise')</translation>
    </message>
    <message>
      <source>Olofsson et al. (2014) suggest 50-100 points in each rare class.</source>
      <translation>Olofsson et al. (2014) empfehlen 50-100 Punkte in jeder seltenen Klasse.</translation>
    </message>
    <message>
      <source>Area to draw in</source>
      <translation>Gebiet für die Ziehung</translation>
    </message>
    <message>
      <source>Optional polygons (any CRS): points fall only on map pixels whose centres lie inside (the places a user can reach). The estimates then hold for that area: clip the classification to it before assessing.</source>
      <translation>Optionale Polygone (beliebiges KBS): Punkte fallen nur auf Kartenpixel, deren Mittelpunkte darin liegen (die Orte, die man erreichen kann). Die Schätzungen gelten dann für dieses Gebiet: Schneiden Sie die Klassifikation vor der Bewertung darauf zu.</translation>
    </message>
    <message>
      <source>Minimum distance between points (pixels)</source>
      <translation>Mindestabstand zwischen Punkten (Pixel)</translation>
    </message>
    <message>
      <source>Points closer than this (pixel centre to centre) are not drawn; 0 = any distance. A distance near the points' own spacing draws pixels at a class's edges more often than inside it, which the estimates do not know: keep it small.</source>
      <translation>Punkte, die näher beieinander liegen (Pixelmitte zu Pixelmitte), werden nicht gezogen; 0 = beliebiger Abstand. Ein Abstand nahe dem eigenen Abstand der Punkte zieht Pixel am Rand einer Klasse häufiger als in ihrem Inneren, was die Schätzungen nicht wissen: Halten Sie ihn klein.</translation>
    </message>
    <message>
      <source>The same map and seed give the same points.</source>
      <translation>Dieselbe Karte und derselbe Startwert ergeben dieselben Punkte.</translation>
    </message>
    <message>
      <source>Reference class field (to fill in)</source>
      <translation>Referenz-Klassenfeld (auszufüllen)</translation>
    </message>
    <message>
      <source>The name of the empty integer field in which you type each point's reference class (then give it to 'Assess accuracy' as REFERENCE_FIELD).</source>
      <translation>Der Name des leeren Ganzzahlfelds, in das Sie die Referenzklasse jedes Punkts eintragen (danach an 'Assess accuracy' als REFERENCE_FIELD übergeben).</translation>
    </message>
    <message>
      <source>Reference sample</source>
      <translation>Referenzstichprobe</translation>
    </message>
    <message>
      <source>Points at pixel centres in the map's CRS, with fields id, map_class, map_name, stratum_wt (the class's share of the map) and the empty reference field.</source>
      <translation>Punkte in Pixelmitten im KBS der Karte, mit den Feldern id, map_class, map_name, stratum_wt (der Anteil der Klasse an der Karte) und dem leeren Referenzfeld.</translation>
    </message>
    <message>
      <source>Points drawn</source>
      <translation>Gezogene Punkte</translation>
    </message>
    <message>
      <source>Create reference sample</source>
      <translation>Referenzstichprobe erstellen</translation>
    </message>
    <message>
      <source>Draws a stratified random sample of reference points from a class map, the map's classes as strata, as good practice for accuracy and area estimates asks (Olofsson et al. 2014): it sizes the sample for a target standard error of overall accuracy, shares it over the classes and places the points at random pixel centres. Label each point's reference class in QGIS (by field visit or from imagery), then run 'Assess accuracy' with the points as REFERENCE and SAMPLING_DESIGN 'stratified' for each class's area and the accuracies with 95 % intervals.</source>
      <translation>Zieht eine geschichtete Zufallsstichprobe von Referenzpunkten aus einer Klassenkarte, mit den Klassen der Karte als Schichten, wie es die gute Praxis für Genauigkeits- und Flächenschätzungen verlangt (Olofsson et al. 2014): Sie bemisst die Stichprobe für einen angestrebten Standardfehler der Gesamtgenauigkeit, teilt sie auf die Klassen auf und setzt die Punkte in zufällige Pixelmitten. Tragen Sie in QGIS die Referenzklasse jedes Punkts ein (aus Geländebegehung oder Bildern) und führen Sie dann 'Assess accuracy' mit den Punkten als REFERENCE und SAMPLING_DESIGN 'stratified' aus, um die Fläche jeder Klasse und die Genauigkeiten mit 95-%-Intervallen zu erhalten.</translation>
    </message>
    <message>
      <source>The CRNN: training and classification (CPU build)</source>
      <translation>Das CRNN: Training und Klassifikation (CPU-Version)</translation>
    </message>
    <message>
      <source>The linear opinion pool (classification, smoothing) and .mat files</source>
      <translation>Der lineare Meinungspool (Klassifikation, Glättung) und .mat-Dateien</translation>
    </message>
    <message>
      <source>Optional: keeps numpy's OpenBLAS from slowing torch down</source>
      <translation>Optional: verhindert, dass OpenBLAS von numpy torch ausbremst</translation>
    </message>
    <message>
      <source>Optional: classification on a Dask cluster (DASK_SCHEDULER)</source>
      <translation>Optional: Klassifikation auf einem Dask-Cluster (DASK_SCHEDULER)</translation>
    </message>
    <message>
      <source>Choose a classification raster.</source>
      <translation>Wählen Sie ein Klassifikationsraster.</translation>
    </message>
    <message>
      <source>The 'clusters' design takes each reference polygon as a cluster: give reference polygons, or choose another SAMPLING_DESIGN.</source>
      <translation>Das Design 'clusters' nimmt jedes Referenzpolygon als Cluster: Geben Sie Referenzpolygone an oder wählen Sie ein anderes SAMPLING_DESIGN.</translation>
    </message>
    <message>
      <source>The 'strata' design needs the strata raster the sample was drawn in: give STRATA.</source>
      <translation>Das Design 'strata' braucht das Schichtenraster, in dem die Stichprobe gezogen wurde: Geben Sie STRATA an.</translation>
    </message>
    <message>
      <source>STRATA is read by the 'strata' design only; it was not used.</source>
      <translation>STRATA wird nur vom Design 'strata' gelesen; es wurde nicht verwendet.</translation>
    </message>
    <message>
      <source>No reference point lies on the classification. Check that the points cover the classified area and that their layer's CRS is set correctly.</source>
      <translation>Kein Referenzpunkt liegt auf der Klassifikation. Prüfen Sie, ob die Punkte das klassifizierte Gebiet abdecken und ob das KBS ihres Layers richtig gesetzt ist.</translation>
    </message>
    <message>
      <source>The reference layer has no CRS; it is taken to be the classification's.</source>
      <translation>Der Referenzlayer hat kein KBS; es wird das der Klassifikation angenommen.</translation>
    </message>
    <message>
      <source>Cancelled by the user.</source>
      <translation>Vom Benutzer abgebrochen.</translation>
    </message>
    <message>
      <source>A reference point has class value 0, which means 'unlabelled': use class values from 1 (the classification's class ids).</source>
      <translation>Ein Referenzpunkt hat den Klassenwert 0, der 'unbeschriftet' bedeutet: Verwenden Sie Klassenwerte ab 1 (die Klassen-IDs der Klassifikation).</translation>
    </message>
    <message>
      <source>Counting the map's pixels per class for the area estimates ({} design).</source>
      <translation>Zähle die Pixel der Karte je Klasse für die Flächenschätzung (Design {}).</translation>
    </message>
    <message>
      <source>Overall accuracy {:.4f} (95 % Wilson interval {:.4f}-{:.4f}), average accuracy {:.4f}, kappa {:.4f} over {} reference pixels.</source>
      <translation>Gesamtgenauigkeit {:.4f} (95-%-Wilson-Intervall {:.4f}-{:.4f}), mittlere Genauigkeit {:.4f}, Kappa {:.4f} über {} Referenzpixel.</translation>
    </message>
    <message>
      <source>Estimated under the {} design: overall accuracy {:.4f} +- {:.4f} (95 %).</source>
      <translation>Geschätzt unter dem Design {}: Gesamtgenauigkeit {:.4f} +- {:.4f} (95 %).</translation>
    </message>
    <message>
      <source>The {} layer '{}' is not a file GDAL can read (provider '{}'). Save it as a GeoTIFF first.</source>
      <translation>Der Layer {} '{}' ist keine von GDAL lesbare Datei (Provider '{}'). Speichern Sie ihn zuerst als GeoTIFF.</translation>
    </message>
    <message>
      <source>The reference layer '{}' holds neither points nor polygons: use points or polygons with a class field, or a label raster.</source>
      <translation>Der Referenzlayer '{}' enthält weder Punkte noch Polygone: Verwenden Sie Punkte oder Polygone mit einem Klassenfeld oder ein Label-Raster.</translation>
    </message>
    <message>
      <source>The reference is a vector layer: choose its class field (REFERENCE_FIELD), one of {}.</source>
      <translation>Die Referenz ist ein Vektorlayer: Wählen Sie ihr Klassenfeld (REFERENCE_FIELD), eines von {}.</translation>
    </message>
    <message>
      <source>The reference layer has no field '{}'; its fields are {}.</source>
      <translation>Der Referenzlayer hat kein Feld '{}'; seine Felder sind {}.</translation>
    </message>
    <message>
      <source>Choose a reference: a point or polygon layer, or a label raster.</source>
      <translation>Wählen Sie eine Referenz: einen Punkt- oder Polygonlayer oder ein Label-Raster.</translation>
    </message>
    <message>
      <source>{} reference pixels are unclassified in the classification; they count as errors.</source>
      <translation>{} Referenzpixel sind in der Klassifikation unklassifiziert; sie zählen als Fehler.</translation>
    </message>
    <message>
      <source>Class {}: map area {:.1f} ha, estimated area {:.1f} +- {:.1f} ha.</source>
      <translation>Klasse {}: Kartenfläche {:.1f} ha, geschätzte Fläche {:.1f} +- {:.1f} ha.</translation>
    </message>
    <message>
      <source>{} reference features without a geometry or class value were skipped.</source>
      <translation>{} Referenzobjekte ohne Geometrie oder Klassenwert wurden übersprungen.</translation>
    </message>
    <message>
      <source>No area estimates: {}</source>
      <translation>Keine Flächenschätzung: {}</translation>
    </message>
    <message>
      <source>Reprojecting the reference features from {} to {}.</source>
      <translation>Projiziere die Referenzobjekte von {} nach {} um.</translation>
    </message>
    <message>
      <source>Reference raster: {}</source>
      <translation>Referenzraster: {}</translation>
    </message>
    <message>
      <source>The reference field '{}' holds {}, not a class id: use integer class ids or class names.</source>
      <translation>Das Referenzfeld '{}' enthält {}, keine Klassen-ID: Verwenden Sie ganzzahlige Klassen-IDs oder Klassennamen.</translation>
    </message>
    <message>
      <source>{key} ({label}): bands {missing} do not exist: the raster {parent} has {count} bands, numbered 1 to {count}.</source>
      <translation>{key} ({label}): die Bänder {missing} gibt es nicht: das Raster {parent} hat {count} Bänder, nummeriert von 1 bis {count}.</translation>
    </message>
    <message>
      <source>The layer {parent} has no field '{field}' ({key}). Choose one of its fields: {names}.</source>
      <translation>Der Layer {parent} hat kein Feld '{field}' ({key}). Wählen Sie eines seiner Felder: {names}.</translation>
    </message>
    <message>
      <source>LOP_SIZE must be odd and at least 1 (1 = no fusion, 3 = the paper's 3x3), got {size}.</source>
      <translation>LOP_SIZE muss ungerade und mindestens 1 sein (1 = keine Fusion, 3 = das 3x3 des Artikels), erhalten: {size}.</translation>
    </message>
    <message>
      <source>{key} ({label}) is empty: choose one of the fields of {parent}: {names}.</source>
      <translation>{key} ({label}) ist leer: wählen Sie eines der Felder von {parent}: {names}.</translation>
    </message>
    <message>
      <source>at least {low:g}</source>
      <translation>mindestens {low:g}</translation>
    </message>
    <message>
      <source>between {low:g} and {high:g}</source>
      <translation>zwischen {low:g} und {high:g}</translation>
    </message>
    <message>
      <source>{key} ({label}) must be {allowed}, got {value:g}.</source>
      <translation>{key} ({label}) muss {allowed} sein, erhalten: {value:g}.</translation>
    </message>
    <message>
      <source>{key} ({label}) must be a whole number, got {value}.</source>
      <translation>{key} ({label}) muss eine ganze Zahl sein, erhalten: {value}.</translation>
    </message>
    <message>
      <source>{key} ({label}) must be one of {options} (or its number, 0 to {last}), got '{value}'.</source>
      <translation>{key} ({label}) muss eines von {options} sein (oder seine Nummer, 0 bis {last}), erhalten: '{value}'.</translation>
    </message>
    <message>
      <source>{key} ({label}) must be a number, got '{value}'.</source>
      <translation>{key} ({label}) muss eine Zahl sein, erhalten: '{value}'.</translation>
    </message>
    <message>
      <source>The input raster could not be read.</source>
      <translation>Das Eingaberaster konnte nicht gelesen werden.</translation>
    </message>
    <message>
      <source>Classified {n} pixels at {rate:.0f} pixels/s.</source>
      <translation>{n} Pixel mit {rate:.0f} Pixeln/s klassifiziert.</translation>
    </message>
    <message>
      <source>The model reads the mean spectrum of the {w}x{w} pixels around each pixel (spectral-spatial input option).</source>
      <translation>Das Modell liest das mittlere Spektrum der {w}x{w} Pixel um jedes Pixel (Option spektral-räumliche Eingabe).</translation>
    </message>
    <message>
      <source>Every pixel of '{raster}' is nodata (the band's nodata value, NaN or Inf in one of the model's bands, or 0 in all of them), so the classification is empty. Check the raster's nodata value and that it is the right raster.</source>
      <translation>Jedes Pixel von '{raster}' ist NoData (der NoData-Wert des Bandes, NaN oder Inf in einem der Bänder des Modells, oder 0 in allen), daher ist die Klassifikation leer. Prüfen Sie den NoData-Wert des Rasters und ob es das richtige Raster ist.</translation>
    </message>
    <message>
      <source>Model: {k} classes, {b} bands, trained on {source}.</source>
      <translation>Modell: {k} Klassen, {b} Bänder, trainiert auf {source}.</translation>
    </message>
    <message>
      <source>No ground truth file given: only the cube is written.</source>
      <translation>Keine Referenzdatei angegeben: Nur der Würfel wird geschrieben.</translation>
    </message>
    <message>
      <source>Wrote {} bands of {} x {} pixels from '{}'.</source>
      <translation>{} Bänder mit {} x {} Pixeln aus '{}' geschrieben.</translation>
    </message>
    <message>
      <source>OUTPUT_POLYGONS must be a file (e.g. a new .gpkg), not '{}'.</source>
      <translation>OUTPUT_POLYGONS muss eine Datei sein (z. B. eine neue .gpkg), nicht '{}'.</translation>
    </message>
    <message>
      <source>True colour: bands {} / {} / {} as red / green / blue.</source>
      <translation>Echtfarben: Bänder {} / {} / {} als Rot / Grün / Blau.</translation>
    </message>
    <message>
      <source>Ground truth '{}': classes {}; {} polygons.</source>
      <translation>Referenz '{}': Klassen {}; {} Polygone.</translation>
    </message>
    <message>
      <source>The {} file '{}' does not exist.</source>
      <translation>Die {}-Datei '{}' existiert nicht.</translation>
    </message>
    <message>
      <source>{} must be a GeoTIFF file (.tif), not '{}'.</source>
      <translation>{} muss eine GeoTIFF-Datei (.tif) sein, nicht '{}'.</translation>
    </message>
    <message>
      <source>CPU threads (0: all cores)</source>
      <translation>CPU-Threads (0: alle Kerne)</translation>
    </message>
    <message>
      <source>{key} must be comma-separated whole numbers such as '32,32', got '{text}'.</source>
      <translation>{key} muss aus durch Kommas getrennten ganzen Zahlen wie '32,32' bestehen, erhalten: '{text}'.</translation>
    </message>
    <message>
      <source>{key} must be band numbers such as '1,2,3' (with qgis_process also {key}=1 {key}=2 ...), got '{text}'.</source>
      <translation>{key} müssen Bandnummern wie '1,2,3' sein (mit qgis_process auch {key}=1 {key}=2 ...), erhalten: '{text}'.</translation>
    </message>
    <message>
      <source>Polygon {fid} cannot be reprojected to the raster's CRS: its coordinates are not valid in the layer's CRS ({crs}). Check the layer's CRS: coordinates in metres in a layer tagged as degrees (EPSG:4326, or 'Undefined geographic SRS' where a file was written without a CRS) are a common mistake; assign the right CRS with 'Assign projection'.</source>
      <translation>Polygon {fid} kann nicht in das KBS des Rasters umprojiziert werden: seine Koordinaten sind im KBS des Layers ({crs}) ungültig. Prüfen Sie das KBS des Layers: Koordinaten in Metern in einem als Grad ausgewiesenen Layer (EPSG:4326, oder 'Undefined geographic SRS', wo eine Datei ohne KBS geschrieben wurde) sind ein häufiger Fehler; weisen Sie mit 'Projektion zuweisen' das richtige KBS zu.</translation>
    </message>
    <message>
      <source>The reference layer holds points; feature {fid} is not one.</source>
      <translation>Der Referenzlayer enthält Punkte; Objekt {fid} ist keiner.</translation>
    </message>
    <message>
      <source>The training layer must hold polygons; feature {fid} is not one.</source>
      <translation>Der Trainingslayer muss Polygone enthalten; Objekt {fid} ist keines.</translation>
    </message>
    <message>
      <source>unknown</source>
      <translation>unbekannt</translation>
    </message>
    <message>
      <source>Cannot reproject reference feature {} to the classification's CRS: {}</source>
      <translation>Das Referenzobjekt {} kann nicht in das KBS der Klassifikation umprojiziert werden: {}</translation>
    </message>
    <message>
      <source>Points are drawn inside AREA only: the estimates of 'Assess accuracy' hold for the map inside it, so clip the classification to AREA first (Clip raster by mask layer) and assess the clipped map.</source>
      <translation>Punkte werden nur innerhalb von AREA gezogen: Die Schätzungen von 'Assess accuracy' gelten für die Karte darin; schneiden Sie die Klassifikation daher zuerst auf AREA zu (Raster auf Layermaske zuschneiden) und bewerten Sie die zugeschnittene Karte.</translation>
    </message>
    <message>
      <source>Choose a classification raster that GDAL can read (a GeoTIFF).</source>
      <translation>Wählen Sie ein Klassifikationsraster, das GDAL lesen kann (ein GeoTIFF).</translation>
    </message>
    <message>
      <source>The classification has no classified pixel to sample.</source>
      <translation>Die Klassifikation hat kein klassifiziertes Pixel, aus dem gezogen werden kann.</translation>
    </message>
    <message>
      <source>{} points over {} classes ({} allocation): {}.</source>
      <translation>{} Punkte auf {} Klassen (Aufteilung {}): {}.</translation>
    </message>
    <message>
      <source>Wrote {} points. Fill in their field '{}', then run 'Assess accuracy' with SAMPLING_DESIGN 'stratified'.</source>
      <translation>{} Punkte geschrieben. Füllen Sie ihr Feld '{}' aus und führen Sie dann 'Assess accuracy' mit SAMPLING_DESIGN 'stratified' aus.</translation>
    </message>
    <message>
      <source>Classes with fewer than 2 points: {}. Their accuracy and area cannot be estimated with an interval: raise SAMPLE_SIZE or MIN_PER_CLASS, or choose the 'compromise' allocation.</source>
      <translation>Klassen mit weniger als 2 Punkten: {}. Ihre Genauigkeit und Fläche lassen sich nicht mit Intervall schätzen: Erhöhen Sie SAMPLE_SIZE oder MIN_PER_CLASS oder wählen Sie die Aufteilung 'compromise'.</translation>
    </message>
    <message>
      <source>The 'edge' LOP needs the spectra: choose 'uniform' or 'gaussian', or use it in 'Classify with CRNN'.</source>
      <translation>Der LOP 'edge' braucht die Spektren: Wählen Sie 'uniform' oder 'gaussian' oder verwenden Sie ihn in 'Mit CRNN klassifizieren'.</translation>
    </message>
    <message>
      <source>The probability raster could not be read.</source>
      <translation>Das Wahrscheinlichkeitsraster konnte nicht gelesen werden.</translation>
    </message>
    <message>
      <source>No style file '{qml}' was written: QGIS would apply it to '{other}' too. Give the output a name of its own to keep its style in a file.</source>
      <translation>Es wurde keine Stildatei '{qml}' geschrieben: QGIS würde sie auch auf '{other}' anwenden. Geben Sie der Ausgabe einen eigenen Namen, um ihren Stil in einer Datei zu behalten.</translation>
    </message>
    <message>
      <source>Install it from the QGIS menu Plugins &gt; Hyperspectral CRNN &gt; Install dependencies..., or run this command, then run the algorithm again:</source>
      <translation>Installieren Sie es über das QGIS-Menü Erweiterungen &gt; Hyperspektrales CRNN &gt; Abhängigkeiten installieren... oder mit diesem Befehl und starten Sie den Algorithmus dann erneut:</translation>
    </message>
    <message>
      <source>pip is not installed in that Python: on Debian or Ubuntu install the package python3-pip first (sudo apt install python3-pip).</source>
      <translation>pip ist in diesem Python nicht installiert: Installieren Sie unter Debian oder Ubuntu zuerst das Paket python3-pip (sudo apt install python3-pip).</translation>
    </message>
    <message>
      <source>On Windows, run the command in the OSGeo4W Shell.</source>
      <translation>Unter Windows führen Sie den Befehl in der OSGeo4W Shell aus.</translation>
    </message>
    <message>
      <source>This algorithm needs the Python package '{package}', which cannot be imported in the Python that QGIS uses ({python}).</source>
      <translation>Dieser Algorithmus braucht das Python-Paket '{package}', das sich im Python von QGIS ({python}) nicht importieren lässt.</translation>
    </message>
    <message>
      <source>Import error: {error}</source>
      <translation>Importfehler: {error}</translation>
    </message>
    <message>
      <source>The command installs into {folder}, which the plugin puts on Python's path: it needs no administrator rights, leaves the system's packages alone (also where Debian or Ubuntu mark them as externally managed), and its constraints file keeps QGIS's numpy, SciPy and GDAL as they are.</source>
      <translation>Der Befehl installiert nach {folder}, das die Erweiterung in den Suchpfad von Python aufnimmt: Er braucht keine Administratorrechte, lässt die Pakete des Systems unangetastet (auch wo Debian oder Ubuntu sie als extern verwaltet kennzeichnen), und seine Constraints-Datei hält numpy, SciPy und GDAL von QGIS auf ihren Versionen.</translation>
    </message>
    <message>
      <source>Add polygons of other classes, or larger polygons.</source>
      <translation>Fügen Sie Polygone anderer Klassen oder größere Polygone hinzu.</translation>
    </message>
    <message>
      <source>Semi-supervised: the training pixels' labels will be grown into their spectrally alike neighbours.</source>
      <translation>Teilüberwacht: die Labels der Trainingspixel werden in ihre spektral ähnlichen Nachbarn ausgedehnt.</translation>
    </message>
    <message>
      <source>The training layer could not be read.</source>
      <translation>Der Trainingslayer konnte nicht gelesen werden.</translation>
    </message>
    <message>
      <source>no geometries</source>
      <translation>keine Geometrien</translation>
    </message>
    <message>
      <source>Kept the weights of epoch {epoch} of {run}, chosen by the lowest validation loss ({loss:.4f}); validation accuracy there {acc:.4f}</source>
      <translation>Die Gewichte der Epoche {epoch} von {run} wurden behalten, gewählt nach dem kleinsten Validierungsverlust ({loss:.4f}); Validierungsgenauigkeit dort {acc:.4f}</translation>
    </message>
    <message>
      <source>, the best reached.</source>
      <translation>, die beste erreichte.</translation>
    </message>
    <message>
      <source>, part of one polygon</source>
      <translation>, Teil eines Polygons</translation>
    </message>
    <message>
      <source>Pixels held out for validation ({fraction} asked, {split} split): {parts}.</source>
      <translation>Für die Validierung zurückgehaltene Pixel ({fraction} verlangt, Aufteilung {split}): {parts}.</translation>
    </message>
    <message>
      <source>Training on {n} pixels of {k} classes.</source>
      <translation>Training mit {n} Pixeln aus {k} Klassen.</translation>
    </message>
    <message>
      <source>Reading the pixels under {n} polygons...</source>
      <translation>Lese die Pixel unter {n} Polygonen ...</translation>
    </message>
    <message>
      <source>Epoch {epoch}: loss {loss:.4f}, accuracy {acc:.3f}</source>
      <translation>Epoche {epoch}: Verlust {loss:.4f}, Genauigkeit {acc:.3f}</translation>
    </message>
    <message>
      <source>Training report: {path}</source>
      <translation>Trainingsbericht: {path}</translation>
    </message>
    <message>
      <source>No pixel was held out for validation: kept the weights of the last epoch ({epoch}).</source>
      <translation>Kein Pixel wurde für die Validierung zurückgehalten: die Gewichte der letzten Epoche ({epoch}) wurden behalten.</translation>
    </message>
    <message>
      <source> (the best reached was {acc:.4f}, at epoch {epoch}).</source>
      <translation> (die beste erreichte war {acc:.4f}, in Epoche {epoch}).</translation>
    </message>
    <message>
      <source>Free some disk space, or choose another disk.</source>
      <translation>Schaffen Sie Speicherplatz, oder wählen Sie ein anderes Laufwerk.</translation>
    </message>
    <message>
      <source>Choose a folder you can write to.</source>
      <translation>Wählen Sie einen Ordner, in den Sie schreiben dürfen.</translation>
    </message>
    <message>
      <source>The training layer has no field '{field}' (CLASS_FIELD). Choose its class field, one of: {names}.</source>
      <translation>Der Trainingslayer hat kein Feld '{field}' (CLASS_FIELD). Wählen Sie sein Klassenfeld, eines von: {names}.</translation>
    </message>
    <message>
      <source>points</source>
      <translation>Punkte</translation>
    </message>
    <message>
      <source>lines</source>
      <translation>Linien</translation>
    </message>
    <message>
      <source>TRAINING must be a polygon layer, but it holds {kind}. Draw polygons around the training areas, or buffer the points or lines (Vector geometry &gt; Buffer) by at least half a pixel.</source>
      <translation>TRAINING muss ein Polygonlayer sein, enthält aber {kind}. Zeichnen Sie Polygone um die Trainingsflächen oder puffern Sie die Punkte oder Linien (Vektorgeometrie &gt; Puffer) um mindestens ein halbes Pixel.</translation>
    </message>
    <message>
      <source>{n} polygon(s) without a class in '{field}' were skipped.</source>
      <translation>{n} Polygon(e) ohne Klasse in '{field}' wurden übersprungen.</translation>
    </message>
    <message>
      <source>{n} feature(s) without a geometry were skipped.</source>
      <translation>{n} Objekt(e) ohne Geometrie wurden übersprungen.</translation>
    </message>
    <message>
      <source>The training layer has no polygon with a class in '{field}'.</source>
      <translation>Der Trainingslayer hat kein Polygon mit einer Klasse in '{field}'.</translation>
    </message>
    <message>
      <source>{n} pixel(s) under the polygons have nodata and were dropped.</source>
      <translation>{n} Pixel unter den Polygonen haben NoData und wurden verworfen.</translation>
    </message>
    <message>
      <source>{n} pixel(s) lie under polygons of different classes; they are ambiguous and left out.</source>
      <translation>{n} Pixel liegen unter Polygonen verschiedener Klassen; sie sind mehrdeutig und werden ausgelassen.</translation>
    </message>
    <message>
      <source>No pixel is left for class(es) {names} after rasterising; they are dropped.</source>
      <translation>Für die Klasse(n) {names} bleibt nach dem Rastern kein Pixel übrig; sie werden verworfen.</translation>
    </message>
    <message>
      <source>{n} pixel(s) under the polygons are nodata (the band's nodata value, NaN or Inf): check the raster's nodata value, or draw the polygons where the raster has data.</source>
      <translation>{n} Pixel unter den Polygonen sind NoData (der NoData-Wert des Bandes, NaN oder Inf): Prüfen Sie den NoData-Wert des Rasters oder zeichnen Sie die Polygone dort, wo das Raster Daten hat.</translation>
    </message>
    <message>
      <source>Training needs at least two classes with pixels; found {n}. {hint}</source>
      <translation>Das Training braucht mindestens zwei Klassen mit Pixeln; gefunden: {n}. {hint}</translation>
    </message>
    <message>
      <source>; validation loss {loss:.4f}, accuracy {acc:.3f}</source>
      <translation>; Validierungsverlust {loss:.4f}, Genauigkeit {acc:.3f}</translation>
    </message>
    <message>
      <source>Grown labels: {pixels} unlabelled neighbours of the training pixels looked at, {taken} alike ones trained on; the growth gives {agree} of the {reached} validation pixels it reaches their own class.</source>
      <translation>Gewachsene Labels: {pixels} nicht gelabelte Nachbarn der Trainingspixel betrachtet, mit {taken} ähnlichen davon trainiert; das Wachstum gibt {agree} der {reached} erreichten Validierungspixel ihre eigene Klasse.</translation>
    </message>
    <message>
      <source>The network reads the {bands} bands as a sequence of only {steps} steps for its recurrent layers (fewer than about {few}): with few bands, set FIRST_STRIDE to 1 and smaller POOL_SIZES (e.g. '2,2,1') to keep more of the spectrum's sequence (docs/ablation.md).</source>
      <translation>Das Netz liest die {bands} Bänder als Folge von nur {steps} Schritten für seine rekurrenten Schichten (weniger als etwa {few}): Setzen Sie bei wenigen Bändern FIRST_STRIDE auf 1 und kleinere POOL_SIZES (z. B. '2,2,1'), um mehr von der Folge des Spektrums zu behalten (docs/ablation.md).</translation>
    </message>
    <message>
      <source>{name} {share:.1f} % ({n} of {total}{how})</source>
      <translation>{name} {share:.1f} % ({n} von {total}{how})</translation>
    </message>
    <message>
      <source>The scene is too noisy to grow labels: the training pixels differ from their adjacent pixels by a median {noise:.2f} rad, more than the {cap:.2f} rad up to which spectra count as alike; no labels were grown, the model learnt from the labelled pixels alone.</source>
      <translation>Die Szene ist zu verrauscht, um Labels wachsen zu lassen: die Trainingspixel unterscheiden sich von ihren Nachbarpixeln im Median um {noise:.2f} rad, mehr als die {cap:.2f} rad, bis zu denen Spektren als ähnlich gelten; es wurden keine Labels gewachsen, das Modell lernte allein aus den gelabelten Pixeln.</translation>
    </message>
    <message>
      <source>The raster has no CRS: the training polygons ({crs}) are assumed to be in the raster's coordinates. Assign the raster its CRS if they do not line up.</source>
      <translation>Das Raster hat kein KBS: Die Trainingspolygone ({crs}) werden in den Koordinaten des Rasters angenommen. Weisen Sie dem Raster sein KBS zu, falls sie nicht übereinanderliegen.</translation>
    </message>
    <message>
      <source>Round {n}, </source>
      <translation>Runde {n}, </translation>
    </message>
    <message>
      <source>Cannot write the training report '{path}': {reason}</source>
      <translation>Der Trainingsbericht '{path}' kann nicht geschrieben werden: {reason}</translation>
    </message>
    <message>
      <source>, {n} whole polygon(s)</source>
      <translation>, {n} ganze(s) Polygon(e)</translation>
    </message>
    <message>
      <source>The angle bound for growing labels is capped at {cap:.2f} rad (the noise rule asked for {wanted:.2f}: adjacent pixels differ by a median {noise:.2f} rad).</source>
      <translation>Die Winkelgrenze für das Wachsen der Labels ist auf {cap:.2f} rad begrenzt (die Rauschregel verlangte {wanted:.2f}: Nachbarpixel unterscheiden sich im Median um {noise:.2f} rad).</translation>
    </message>
    <message>
      <source>Cannot write the model file '{path}' (OUTPUT_MODEL): {reason}. {hint}</source>
      <translation>Die Modelldatei '{path}' (OUTPUT_MODEL) kann nicht geschrieben werden: {reason}. {hint}</translation>
    </message>
    <message>
      <source>The class field '{field}' holds {value}, not a class id: use integer class ids or class names.</source>
      <translation>Das Klassenfeld '{field}' enthält {value}, keine Klassen-ID: verwenden Sie ganzzahlige Klassen-IDs oder Klassennamen.</translation>
    </message>
    <message>
      <source>missing (optional)</source>
      <translation>fehlt (optional)</translation>
    </message>
    <message>
      <source>Hyperspectral CRNN: install dependencies</source>
      <translation>Hyperspektrales CRNN: Abhängigkeiten installieren</translation>
    </message>
    <message>
      <source>The algorithms need these Python packages in the Python that QGIS runs. Tick what to install and press Install: pip runs in the background and QGIS stays usable. QGIS's own numpy, SciPy and GDAL are never replaced.</source>
      <translation>Die Algorithmen brauchen diese Python-Pakete im Python von QGIS. Haken Sie an, was installiert werden soll, und klicken Sie auf Installieren: pip läuft im Hintergrund, und QGIS bleibt bedienbar. numpy, SciPy und GDAL von QGIS werden nie ersetzt.</translation>
    </message>
    <message>
      <source>QGIS's Python:</source>
      <translation>Python von QGIS:</translation>
    </message>
    <message>
      <source>Packages go to:</source>
      <translation>Pakete kommen nach:</translation>
    </message>
    <message>
      <source>pip is not installed in QGIS's Python, so nothing can be installed from here. On Debian or Ubuntu install the package python3-pip (sudo apt install python3-pip), then open this dialog again.</source>
      <translation>pip ist im Python von QGIS nicht installiert, daher lässt sich von hier nichts installieren. Installieren Sie unter Debian oder Ubuntu das Paket python3-pip (sudo apt install python3-pip) und öffnen Sie diesen Dialog dann erneut.</translation>
    </message>
    <message>
      <source>Install</source>
      <translation>Installieren</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Abbrechen</translation>
    </message>
    <message>
      <source>missing</source>
      <translation>fehlt</translation>
    </message>
    <message>
      <source>Package</source>
      <translation>Paket</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>Needed for</source>
      <translation>Gebraucht für</translation>
    </message>
    <message>
      <source>Command:</source>
      <translation>Befehl:</translation>
    </message>
    <message>
      <source>Output of pip:</source>
      <translation>Ausgabe von pip:</translation>
    </message>
    <message>
      <source>Nothing to install: tick a package above.</source>
      <translation>Nichts zu installieren: Haken Sie oben ein Paket an.</translation>
    </message>
    <message>
      <source>Cancelled: pip was stopped. The packages folder is unchanged or partly filled; press Install to try again.</source>
      <translation>Abgebrochen: pip wurde beendet. Der Paketordner ist unverändert oder teilweise gefüllt; klicken Sie auf Installieren, um es erneut zu versuchen.</translation>
    </message>
    <message>
      <source>{version} installed</source>
      <translation>{version} installiert</translation>
    </message>
    <message>
      <source>Could not start {python}: {error}</source>
      <translation>{python} konnte nicht gestartet werden: {error}</translation>
    </message>
    <message>
      <source>Done: the packages import now, the algorithms can be used without restarting QGIS.</source>
      <translation>Fertig: Die Pakete lassen sich jetzt importieren, die Algorithmen sind ohne Neustart von QGIS nutzbar.</translation>
    </message>
    <message>
      <source>Removed from the folder: {what}</source>
      <translation>Aus dem Ordner entfernt: {what}</translation>
    </message>
    <message>
      <source>Kept in the folder, ahead of QGIS's copy: {what}</source>
      <translation>Im Ordner behalten, vor der Kopie von QGIS: {what}</translation>
    </message>
    <message>
      <source>Problem: {what}</source>
      <translation>Problem: {what}</translation>
    </message>
    <message>
      <source>Installed, but {packages} cannot be imported yet: restart QGIS.</source>
      <translation>Installiert, aber {packages} lässt sich noch nicht importieren: Starten Sie QGIS neu.</translation>
    </message>
    <message>
      <source>Cannot write the constraints file: {error}</source>
      <translation>Die Constraints-Datei kann nicht geschrieben werden: {error}</translation>
    </message>
    <message>
      <source>pip stopped with exit code {code}: see its output above. QGIS's own packages were not touched.</source>
      <translation>pip endete mit dem Exit-Code {code}: siehe seine Ausgabe oben. Die Pakete von QGIS blieben unberührt.</translation>
    </message>
    <message>
      <source>Done. {packages} was already loaded: restart QGIS to use the new version.</source>
      <translation>Fertig. {packages} war schon geladen: Starten Sie QGIS neu, um die neue Version zu verwenden.</translation>
    </message>
    <message>
      <source>Install dependencies...</source>
      <translation>Abhängigkeiten installieren...</translation>
    </message>
    <message>
      <source>Removed from {folder}: {what}</source>
      <translation>Aus {folder} entfernt: {what}</translation>
    </message>
    <message>
      <source>Writes a hyperspectral cube from a MATLAB .mat, NumPy .npy/.npz, HDF5 / netCDF (PRISMA L2, ...) or any GDAL-readable file (ENVI, ...) as a GeoTIFF, with its band wavelengths where the input has them. Classic benchmark scenes have no map coordinates: they are placed on a north-up grid with the given pixel size, top-left corner and CRS. With a ground-truth array it also writes a label raster and polygons of the class regions, for training and accuracy assessment.</source>
      <translation type="obsolete">Schreibt einen hyperspektralen Würfel aus einer MATLAB-.mat-, NumPy-.npy/.npz-, HDF5- / netCDF- (PRISMA L2, ...) oder einer beliebigen von GDAL lesbaren Datei (ENVI, ...) als GeoTIFF, mit den Wellenlängen der Bänder, wo die Eingabe sie hat. Klassische Benchmark-Szenen haben keine Kartenkoordinaten: Sie werden auf ein nordausgerichtetes Gitter mit der angegebenen Pixelgröße, Ecke oben links und dem KBS gelegt. Mit einem Ground-Truth-Array schreibt der Algorithmus außerdem ein Label-Raster und Polygone der Klassenflächen für Training und Genauigkeitsbewertung.</translation>
    </message>
    <message>
      <source>How the reference sample was drawn. It gives each class's area and the accuracies estimated with 95 % intervals, as good practice asks (Olofsson et al. 2014): 'stratified': stratified random, the map's classes as strata; 'strata': stratified random in the STRATA raster's strata; 'simple': simple random or systematic; 'clusters': each reference polygon is a cluster (intervals from the variance between polygons). 'auto': stratified for points, clusters for polygons, no estimate for a label raster. Areas need a projected map.</source>
      <translation type="obsolete">Wie die Referenzstichprobe gezogen wurde. Daraus werden die Fläche jeder Klasse und die Genauigkeiten mit 95-%-Intervallen geschätzt, wie es die gute Praxis verlangt (Olofsson et al. 2014): 'stratified': geschichtete Zufallsstichprobe, die Klassen der Karte als Schichten; 'strata': geschichtete Zufallsstichprobe in den Schichten des STRATA-Rasters; 'simple': einfache Zufallsstichprobe oder systematisch; 'clusters': jedes Referenzpolygon ist ein Cluster (Intervalle aus der Varianz zwischen den Polygonen). 'auto': geschichtet für Punkte, Cluster für Polygone, keine Schätzung für ein Label-Raster. Flächen brauchen eine projizierte Karte.</translation>
    </message>
    <message>
      <source>Points closer than this (pixel centre to centre) are not drawn; 0 = any distance.</source>
      <translation type="obsolete">Punkte, die näher beieinander liegen (Pixelmitte zu Pixelmitte), werden nicht gezogen; 0 = beliebiger Abstand.</translation>
    </message>
    <message>
      <source>Points at pixel centres in the map's CRS, with fields id, map_class, map_name, stratum_weight (the class's share of the map) and the empty reference field.</source>
      <translation type="obsolete">Punkte in Pixelmitten im KBS der Karte, mit den Feldern id, map_class, map_name, stratum_weight (der Anteil der Klasse an der Karte) und dem leeren Referenzfeld.</translation>
    </message>
    <message>
      <source>Parameters</source>
      <translation type="obsolete">Parameter</translation>
    </message>
    <message>
      <source>For few training pixels (tens per class): each training pixel's class is also given to the pixels within 3 pixels of it whose spectrum lies within 0.08 radians (spectral angle) of its own, or within twice the typical angle between adjacent pixels where the scene is noisier; a pixel two classes reach takes none. The model trains on the labelled and these grown pixels, for as many steps as a supervised run on 3x the labelled pixels: training takes about 2-3x as long. It assumes fields wider than a few pixels; it gains most with tens of labels per class (figures: docs/benchmarks_few_labels.md). The model file and the report say how many pixels were grown and how many of the validation pixels the growth reaches it labels right.</source>
      <translation type="obsolete">Für wenige Trainingspixel (einige zehn je Klasse): die Klasse jedes Trainingspixels wird auch den Pixeln im Umkreis von 3 Pixeln gegeben, deren Spektrum höchstens 0,08 Radiant (Spektralwinkel) von seinem abweicht, oder höchstens das Doppelte des typischen Winkels zwischen benachbarten Pixeln, wo die Szene stärker rauscht; ein Pixel, das zwei Klassen erreichen, erhält keine. Das Modell lernt aus den gelabelten und diesen gewachsenen Pixeln, so viele Schritte wie ein überwachter Lauf mit dem 3-Fachen der gelabelten Pixel: das Training dauert etwa 2- bis 3-mal so lange. Es setzt Felder voraus, die breiter als einige Pixel sind; es gewinnt am meisten mit einigen zehn Labels je Klasse (Zahlen: docs/benchmarks_few_labels.md). Modelldatei und Bericht nennen, wie viele Pixel gewachsen sind und wie viele der erreichten Validierungspixel das Wachstum richtig labelt.</translation>
    </message>
    <message>
      <source>Trains the CRNN of Wu &amp;amp; Prasad (2017) on the pixels under the training polygons: each pixel's spectrum goes through 1-D convolution and max-pooling layers, then stacked recurrent layers and a softmax. Polygons in any CRS are reprojected to the raster's; a pixel is taken when its centre lies inside a polygon; pixels with nodata are dropped. The class field may be integer (its values become the class raster's pixel values) or text (classes get ids 1..K in sorted order and keep their names). The model file keeps the weights, the bands, the normalisation and the classes.</source>
      <translation type="obsolete">Trainiert das CRNN von Wu &amp;amp; Prasad (2017) auf den Pixeln unter den Trainingspolygonen: Das Spektrum jedes Pixels durchläuft 1-D-Faltungs- und Max-Pooling-Schichten, dann gestapelte rekurrente Schichten und ein Softmax. Polygone in beliebigem KBS werden in das KBS des Rasters umprojiziert; ein Pixel wird genommen, wenn sein Mittelpunkt in einem Polygon liegt; Pixel mit NoData werden verworfen. Das Klassenfeld kann ganzzahlig sein (seine Werte werden zu den Pixelwerten des Klassenrasters) oder Text (die Klassen erhalten die IDs 1..K in sortierter Reihenfolge und behalten ihre Namen). Die Modelldatei enthält die Gewichte, die Bänder, die Normalisierung und die Klassen.</translation>
    </message>
    <message>
      <source>Inputs</source>
      <translation type="obsolete">Eingaben</translation>
    </message>
    <message>
      <source>Sampling</source>
      <translation type="obsolete">Stichprobe</translation>
    </message>
    <message>
      <source>Training</source>
      <translation type="obsolete">Training</translation>
    </message>
    <message>
      <source>Network (advanced)</source>
      <translation type="obsolete">Netz (erweitert)</translation>
    </message>
    <message>
      <source>Outputs</source>
      <translation type="obsolete">Ausgaben</translation>
    </message>
    <message>
      <source>Spatial fusion (LOP)</source>
      <translation type="obsolete">Räumliche Fusion (LOP)</translation>
    </message>
    <message>
      <source>Cluster (advanced)</source>
      <translation type="obsolete">Cluster (erweitert)</translation>
    </message>
    <message>
      <source>Trains the CRNN of Wu &amp;amp; Prasad (2017) on the pixels under the training polygons: each pixel's spectrum goes through 1-D convolution and max-pooling layers, then stacked recurrent layers and a softmax. Polygons in any CRS are reprojected to the raster's; a pixel is taken when its centre lies inside a polygon; pixels with nodata are dropped. The class field may be integer (its values become the class raster's pixel values) or text (classes get ids 1..K in sorted order and keep their names). The model file keeps the weights, the bands, the normalisation and the classes.&lt;br&gt;&lt;br&gt;Classifies every pixel of the raster with a trained CRNN, then fuses the class posteriors of neighbouring pixels with a linear opinion pool (LOP): a pixel's posterior becomes the weighted mean of its neighbours' posteriors, which removes salt-and-pepper noise since neighbours tend to share a class. The raster is read block by block, so any size works in bounded memory; pixels with nodata in any used band stay nodata and do not vote.</source>
      <translation type="obsolete">Trainiert das CRNN von Wu &amp;amp; Prasad (2017) auf den Pixeln unter den Trainingspolygonen: Das Spektrum jedes Pixels durchläuft 1-D-Faltungs- und Max-Pooling-Schichten, dann gestapelte rekurrente Schichten und ein Softmax. Polygone in beliebigem KBS werden in das KBS des Rasters umprojiziert; ein Pixel wird genommen, wenn sein Mittelpunkt in einem Polygon liegt; Pixel mit NoData werden verworfen. Das Klassenfeld kann ganzzahlig sein (seine Werte werden zu den Pixelwerten des Klassenrasters) oder Text (die Klassen erhalten die IDs 1..K in sortierter Reihenfolge und behalten ihre Namen). Die Modelldatei enthält die Gewichte, die Bänder, die Normalisierung und die Klassen.&lt;br&gt;&lt;br&gt;Klassifiziert jedes Pixel des Rasters mit einem trainierten CRNN und fusioniert dann die Klassen-Posteriors benachbarter Pixel mit einem linearen Meinungspool (LOP): Das Posterior eines Pixels wird zum gewichteten Mittel der Posteriors seiner Nachbarn, was Salz-und-Pfeffer-Rauschen entfernt, da Nachbarn meist dieselbe Klasse haben. Das Raster wird blockweise gelesen, sodass jede Größe mit begrenztem Speicher funktioniert; Pixel mit NoData in einem verwendeten Band bleiben NoData und stimmen nicht mit ab.</translation>
    </message>
    <message>
      <source>Bands</source>
      <translation type="obsolete">Kanäle</translation>
    </message>
    <message>
      <source>Network arithmetic</source>
      <translation type="obsolete">Rechengenauigkeit des Netzes</translation>
    </message>
    <message>
      <source>The polygons' class: integer class ids, or text class names matched to the classification's class names (case-insensitive).</source>
      <translation type="obsolete">Die Klasse der Polygone: ganzzahlige Klassen-IDs oder Klassennamen als Text, die mit den Klassennamen der Klassifikation abgeglichen werden (ohne Beachtung der Groß-/Kleinschreibung).</translation>
    </message>
    <message>
      <source>Bands (default: all)</source>
      <translation type="obsolete">Bänder (Standard: alle)</translation>
    </message>
    <message>
      <source>Compares a class raster with reference labels and reports the confusion matrix (rows = reference, columns = predicted), overall accuracy (OA) with its 95 % Wilson confidence interval, average accuracy (AA, the mean producer's accuracy), Cohen's kappa, and producer's accuracy, user's accuracy and F1 per class. Reference pixels that the classification leaves unclassified count as errors (their number is reported). The classification is read in strips, so large rasters are fine.</source>
      <translation type="obsolete">Vergleicht ein Klassenraster mit Referenzlabels und berichtet die Konfusionsmatrix (Zeilen = Referenz, Spalten = Vorhersage), die Gesamtgenauigkeit (OA) mit ihrem 95-%-Wilson-Konfidenzintervall, die mittlere Genauigkeit (AA, das Mittel der Herstellergenauigkeiten), Cohens Kappa sowie Hersteller- und Nutzergenauigkeit und F1 pro Klasse. Referenzpixel, die die Klassifikation unklassifiziert lässt, zählen als Fehler (ihre Anzahl wird berichtet). Die Klassifikation wird streifenweise gelesen, daher sind große Raster kein Problem.</translation>
    </message>
    <message>
      <source>Reference (polygons or raster)</source>
      <translation type="obsolete">Referenz (Polygone oder Raster)</translation>
    </message>
    <message>
      <source>Polygons with a class field, in any CRS (reprojected to the classification's CRS and rasterised by pixel centres), or a label raster on exactly the classification's grid (same size and geotransform; nodata and 0 are unlabelled).</source>
      <translation type="obsolete">Polygone mit einem Klassenfeld in beliebigem KBS (in das KBS der Klassifikation umprojiziert und nach Pixelmittelpunkten gerastert) oder ein Label-Raster auf genau dem Gitter der Klassifikation (gleiche Größe und Geotransformation; NoData und 0 sind ohne Label).</translation>
    </message>
    <message>
      <source>Reference class field (polygons only)</source>
      <translation type="obsolete">Klassenfeld der Referenz (nur Polygone)</translation>
    </message>
    <message>
      <source>Choose a reference: a polygon layer or a label raster.</source>
      <translation type="obsolete">Wählen Sie eine Referenz: einen Polygonlayer oder ein Label-Raster.</translation>
    </message>
    <message>
      <source>The reference layer '{}' has no polygons: use polygons with a class field, or a label raster.</source>
      <translation type="obsolete">Der Referenzlayer '{}' hat keine Polygone: Verwenden Sie Polygone mit einem Klassenfeld oder ein Label-Raster.</translation>
    </message>
    <message>
      <source>The reference is a polygon layer: choose its class field (REFERENCE_FIELD), one of {}.</source>
      <translation type="obsolete">Die Referenz ist ein Polygonlayer: Wählen Sie ihr Klassenfeld (REFERENCE_FIELD), eines von {}.</translation>
    </message>
    <message>
      <source>Reprojecting the reference polygons from {} to {}.</source>
      <translation type="obsolete">Referenzpolygone werden von {} nach {} umprojiziert.</translation>
    </message>
    <message>
      <source>Cannot reproject reference polygon {} to the classification's CRS: {}</source>
      <translation type="obsolete">Referenzpolygon {} kann nicht in das KBS der Klassifikation umprojiziert werden: {}</translation>
    </message>
    <message>
      <source>Outputs are written as GeoTIFF: give '{path}' a .tif extension.</source>
      <translation type="obsolete">Ausgaben werden als GeoTIFF geschrieben: Geben Sie '{path}' die Endung .tif.</translation>
    </message>
    <message>
      <source>The folder '{folder}' for the model file (OUTPUT_MODEL) does not exist. Create it or choose another path.</source>
      <translation type="obsolete">Der Ordner '{folder}' für die Modelldatei (OUTPUT_MODEL) existiert nicht. Legen Sie ihn an oder wählen Sie einen anderen Pfad.</translation>
    </message>
    <message>
      <source>OUTPUT_MODEL '{path}' is a folder: give a file name such as model.crnn.</source>
      <translation type="obsolete">OUTPUT_MODEL '{path}' ist ein Ordner: Geben Sie einen Dateinamen wie model.crnn an.</translation>
    </message>
    <message>
      <source>OUTPUT_MODEL '{path}' is the {key} input itself: choose another file name (such as model.crnn); inputs are never overwritten.</source>
      <translation type="obsolete">OUTPUT_MODEL '{path}' ist die Eingabe {key} selbst: Wählen Sie einen anderen Dateinamen (etwa model.crnn); Eingaben werden nie überschrieben.</translation>
    </message>
    <message>
      <source>Every pixel of '{raster}' is nodata (the band's nodata value, NaN or Inf in one of the model's bands), so the classification is empty. Check the raster's nodata value and that it is the right raster.</source>
      <translation type="obsolete">Jedes Pixel von '{raster}' ist NoData (der NoData-Wert des Bandes, NaN oder Inf in einem der Bänder des Modells), daher ist die Klassifikation leer. Prüfen Sie den NoData-Wert des Rasters und ob es das richtige Raster ist.</translation>
    </message>
    <message>
      <source>OUTPUT must not overwrite the model file.</source>
      <translation type="obsolete">OUTPUT darf die Modelldatei nicht überschreiben.</translation>
    </message>
    <message>
      <source>Share of each class held out to watch validation loss and accuracy and to stop early. Every class keeps at least one training polygon (or pixel).</source>
      <translation type="obsolete">Anteil jeder Klasse, der zurückgehalten wird, um Validierungsverlust und -genauigkeit zu verfolgen und früh zu stoppen. Jede Klasse behält mindestens ein Trainingspolygon (bzw. -pixel).</translation>
    </message>
    <message>
      <source>'polygon' holds out whole polygons, so validation pixels are not neighbours of training pixels (honest accuracy); 'pixel' holds out single pixels.</source>
      <translation type="obsolete">'polygon' hält ganze Polygone zurück, sodass Validierungspixel keine Nachbarn von Trainingspixeln sind (ehrliche Genauigkeit); 'pixel' hält einzelne Pixel zurück.</translation>
    </message>
    <message>
      <source>Best validation accuracy {acc:.4f} at epoch {epoch}.</source>
      <translation type="obsolete">Beste Validierungsgenauigkeit {acc:.4f} in Epoche {epoch}.</translation>
    </message>
    <message>
      <source>Cannot write the model file '{path}' (OUTPUT_MODEL): {reason}. Free some disk space, or choose a folder you can write to.</source>
      <translation type="obsolete">Die Modelldatei '{path}' (OUTPUT_MODEL) kann nicht geschrieben werden: {reason}. Geben Sie Speicherplatz frei oder wählen Sie einen beschreibbaren Ordner.</translation>
    </message>
    <message>
      <source>For few training pixels (tens per class): after training, the model classifies a sample of the raster (the whole raster up to 65 536 pixels, else random 32 x 32 tiles up to that many), its posteriors are pooled by the edge LOP, confident pixels become pseudo-labels (at most 200 per class) and the model is trained again on them and the training pixels. Experimental: training takes about 4x as long, the gain is small and with very few labels it can lose accuracy (figures: docs/benchmarks_few_labels.md). The model file and the report say how many pixels were used and how well the pseudo-labels agree with the validation pixels.</source>
      <translation type="obsolete">Für wenige Trainingspixel (Dutzende je Klasse): nach dem Training klassifiziert das Modell eine Stichprobe des Rasters (das ganze Raster bis 65 536 Pixel, sonst zufällige Kacheln von 32 x 32 Pixeln bis zu so vielen), seine A-posteriori-Wahrscheinlichkeiten werden mit dem kantenerhaltenden LOP gemittelt, sichere Pixel werden zu Pseudo-Labels (höchstens 200 je Klasse) und das Modell wird auf ihnen und den Trainingspixeln erneut trainiert. Experimentell: das Training dauert etwa 4-mal so lange, der Gewinn ist klein und mit sehr wenigen Labels kann die Genauigkeit sinken (Zahlen: docs/benchmarks_few_labels.md). Die Modelldatei und der Bericht nennen die Zahl der verwendeten Pixel und wie gut die Pseudo-Labels mit den Validierungspixeln übereinstimmen.</translation>
    </message>
    <message>
      <source>Semi-supervised: the model will also learn from a sample of the raster's unlabelled pixels.</source>
      <translation type="obsolete">Teilüberwacht: Das Modell lernt auch aus einer Stichprobe der nicht gelabelten Pixel des Rasters.</translation>
    </message>
    <message>
      <source>Round {n}: {pixels} unlabelled pixels classified, {taken} pseudo-labels trained on; they agree with {agree} of the validation pixels.</source>
      <translation type="obsolete">Runde {n}: {pixels} nicht gelabelte Pixel klassifiziert, mit {taken} Pseudo-Labels trainiert; sie stimmen mit {agree} der Validierungspixel überein.</translation>
    </message>
    <message>
      <source>float32 (default), bfloat16, or auto: bfloat16 on a CPU that computes it natively (AVX512-BF16 or AMX), float16 on a CUDA GPU, else float32. bfloat16 is faster on such a CPU; its map differs from float32's on about 0.1 % of the pixels (figures: docs/inference.md).</source>
      <translation type="obsolete">float32 (Standard), bfloat16 oder auto: bfloat16 auf einer CPU, die es nativ rechnet (AVX512-BF16 oder AMX), float16 auf einer CUDA-GPU, sonst float32. bfloat16 ist auf einer solchen CPU schneller; seine Karte weicht auf etwa 0,1 % der Pixel von der float32-Karte ab (Zahlen: docs/inference.md).</translation>
    </message>
    <message>
      <source>Optional: class ids (0 = unlabelled) of the same rows and columns, as .mat, .npy, .npz or a raster.</source>
      <translation type="obsolete">Optional: Klassen-IDs (0 = ohne Label) derselben Zeilen und Spalten, als .mat, .npy, .npz oder Raster.</translation>
    </message>
    <message>
      <source>For few training pixels (tens per class): after training, the model classifies a sample of the raster (the whole raster up to 65 536 pixels, else random 32 x 32 tiles up to that many), its posteriors are pooled by the edge LOP, confident pixels become pseudo-labels (at most 200 per class) and the model is trained again on them and the training pixels. Training takes about 4x as long. On Indian Pines with 25 pixels per class it gained about 3 points of OA after the 3x3 LOP and under 1 after the edge LOP (docs/benchmarks_few_labels.md). The model file and the report say how many pixels were used and how well the pseudo-labels agree with the validation pixels.</source>
      <translation type="obsolete">Für wenige Trainingspixel (einige Dutzend je Klasse): Nach dem Training klassifiziert das Modell eine Stichprobe des Rasters (das ganze Raster bis 65 536 Pixel, sonst zufällige Kacheln von 32 x 32 Pixeln bis zu dieser Zahl), seine A-posteriori-Wahrscheinlichkeiten werden mit dem kantenerhaltenden LOP gepoolt, sichere Pixel werden zu Pseudo-Labels (höchstens 200 je Klasse), und das Modell wird auf ihnen und den Trainingspixeln neu trainiert. Das Training dauert etwa 4-mal so lange. Auf Indian Pines mit 25 Pixeln je Klasse brachte es etwa 3 Punkte Gesamtgenauigkeit nach dem 3x3-LOP und weniger als 1 nach dem kantenerhaltenden LOP (docs/benchmarks_few_labels.md). Modelldatei und Bericht nennen, wie viele Pixel verwendet wurden und wie gut die Pseudo-Labels mit den Validierungspixeln übereinstimmen.</translation>
    </message>
    <message>
      <source>Optional, not used yet: the planned Dask engine</source>
      <translation type="obsolete">Optional, noch nicht verwendet: die geplante Dask-Ausführung</translation>
    </message>
    <message>
      <source>Cubes (*.mat *.npy *.npz *.tif *.tiff *.img *.dat *.hdr *.bsq *.bil *.bip *.raw);;MATLAB v5 (*.mat);;NumPy (*.npy *.npz);;All files (*.*)</source>
      <translation type="obsolete">Würfel (*.mat *.npy *.npz *.tif *.tiff *.img *.dat *.hdr *.bsq *.bil *.bip *.raw);;MATLAB v5 (*.mat);;NumPy (*.npy *.npz);;Alle Dateien (*.*)</translation>
    </message>
    <message>
      <source>A .mat (MATLAB v4-v7; v7.3/HDF5 is not supported), .npy / .npz, or any raster GDAL reads (ENVI: the data file or its .hdr). Arrays are read as (rows, columns, bands), or as (bands, rows, columns) when the first axis is the smallest.</source>
      <translation type="obsolete">Eine .mat-Datei (MATLAB v4-v7; v7.3/HDF5 wird nicht unterstützt), .npy / .npz oder ein beliebiges von GDAL lesbares Raster (ENVI: die Datendatei oder ihre .hdr). Arrays werden als (Zeilen, Spalten, Bänder) gelesen, oder als (Bänder, Zeilen, Spalten), wenn die erste Achse die kürzeste ist.</translation>
    </message>
    <message>
      <source>The array's name in a .mat / .npz file. Default: the largest 3-D array.</source>
      <translation type="obsolete">Der Name des Arrays in einer .mat- / .npz-Datei. Standard: das größte 3-D-Array.</translation>
    </message>
    <message>
      <source>The cube as a tiled, DEFLATE-compressed GeoTIFF in the array's data type (integers stay integers), bands named 'Band N'.</source>
      <translation type="obsolete">Der Würfel als gekacheltes, DEFLATE-komprimiertes GeoTIFF im Datentyp des Arrays (Ganzzahlen bleiben Ganzzahlen), Bänder mit den Namen 'Band N'.</translation>
    </message>
    <message>
      <source>Writes a hyperspectral cube from a MATLAB .mat, NumPy .npy/.npz or any GDAL-readable file (ENVI, ...) as a GeoTIFF. Classic benchmark scenes have no map coordinates: they are placed on a north-up grid with the given pixel size, top-left corner and CRS. With a ground-truth array it also writes a label raster and polygons of the class regions, for training and accuracy assessment.</source>
      <translation type="obsolete">Schreibt einen hyperspektralen Würfel aus einer MATLAB-.mat-, NumPy-.npy/.npz- oder einer beliebigen von GDAL lesbaren Datei (ENVI, ...) als GeoTIFF. Klassische Benchmark-Szenen haben keine Kartenkoordinaten: Sie werden auf ein nordausgerichtetes Gitter mit der angegebenen Pixelgröße, Ecke oben links und dem KBS gelegt. Mit einem Ground-Truth-Array schreibt der Algorithmus außerdem ein Label-Raster und Polygone der Klassenflächen für Training und Genauigkeitsbewertung.</translation>
    </message>
    <message>
      <source>Bands to use (default: all).</source>
      <translation type="obsolete">Zu verwendende Bänder (Standard: alle).</translation>
    </message>
    <message>
      <source>The hyperspectral raster (the model's bands must exist).</source>
      <translation type="obsolete">Das hyperspektrale Raster (die Bänder des Modells müssen vorhanden sein).</translation>
    </message>
    <message>
      <source>Bands {bad} do not exist: the raster has {count} bands.</source>
      <translation type="obsolete">Die Bänder {bad} existieren nicht: Das Raster hat {count} Bänder.</translation>
    </message>
  </context>
</TS>
