"""The segmenter's fitted model: written by benchmarks/segmenter/fit.py, not by hand.

Fitted on the benchmark's 54 documents (benchmarks/segmenter/run.py). Logistic weights of
:data:`briefing.core.sections.FEATURES`, and cue words (stemmed) with the log-odds that
a unit opening with them (``OPENING_CUES``) or holding them (``UNIT_CUES``) starts a
section. A data module: long only because of its tables.
"""

from __future__ import annotations

WEIGHTS = {
    "bias": -2.19,
    "cos_next": -2.997,
    "cos_two": -2.942,
    "cos_words": -0.102,
    "depth": 0.431,
    "novelty": 1.522,
    "colon_before": -3.473,
    "code_before": 0.164,
    "list_before": 1.623,
    "other_before": -0.33,
    "code_after": 0.637,
    "list_after": 0.338,
    "other_after": -1.235,
    "short_after": 0.11,
    "refers_back": -0.634,
    "question_before": -3.171,
    "local_peak": 0.163,
    "prose_after_prose": 0.385,
    "prose_after_list": -0.223,
    "list_after_list": -0.326,
    "first_gap": -1.47,
    "cos_back_max": 1.256,
    "cos_skip": -0.763,
    "link_before": 0.496,
    "bold_start": 0.65,
    "cue_opening": 0.225,
    "cue_unit": 0.482,
    "cos_wide": -2.079,
}


def _parse(table: str) -> dict[str, float]:
    words = table.split()
    return {w: float(v) for w, v in zip(words[0::2], words[1::2], strict=True)}


OPENING_CUES = _parse(
    """
accept -0.02 add 0.66 align -0.43 allow -0.28 alternative -0.81 annotation -0.90 api 0.15
app 0.09 append -0.98 application 0.03 argument 0.20 asset -0.12 astral 0.27 attr 0.43
automatical -0.12 available 0.86 aws -0.04 bar -1.18 bas -0.28 bash -1.06 benchmark 0.05
binary 0.14 bug 0.15 build -0.13 built 0.64 call -0.20 case -0.98 center -0.90 chang 0.63
change -1.05 check 0.40 clas -0.55 clean -0.12 cli 1.45 clone -0.28 code 0.06 com 0.61
command 0.46 commit -1.05 common -0.81 compare -0.28 complete 1.08 conda 0.20 config -0.31
configuration -0.49 configure -2.07 consider 0.90 console -1.33 constraint 0.90
contain 0.34 contribut 1.85 contribution 1.13 contributor 0.41 copy -0.90 copyright 1.44
core 0.02 correct -0.08 coverage 0.05 creat -0.43 create 0.31 current 0.73 custom -0.08
data -0.20 dataclas -0.02 dataclass 0.49 date -0.90 datetime -1.12 debug -0.81 def -2.05
default -0.48 definition -1.12 depend -0.02 dependency 0.31 detail -0.14 dev -0.49
developer 0.78 development 1.10 dict -0.81 dictionary -0.02 direct -0.43 directory -0.78
disable -0.12 doc 0.10 document -0.02 documentation 1.44 don -0.90 download -0.31
dump -1.81 easy -0.12 empty 0.49 enable 0.20 encod 0.90 end 0.12 ensure 0.49
environment 0.09 error 0.03 example -1.99 exception 0.78 exist 0.67 explicit 0.90
extension 0.80 fast 0.39 faster 1.12 featur 0.67 feature 0.90 field -0.61 fil 0.39
file -0.15 filter -0.76 find 0.37 first -0.74 fix 0.54 follow 0.35 foo -1.71 format -0.20
found 0.56 frame -0.07 free 0.90 full -0.85 function 0.06 general 1.59 generat -0.20
git -0.68 github 0.66 gitlab 1.12 global -0.81 gnu 0.58 guide 0.39 handl -0.20 handle 0.49
hello -0.90 help 0.39 html 0.34 http 0.36 ignore 0.39 img -1.15 implementation 1.00
import -0.68 includ 0.34 include -0.31 info -1.12 information 0.14 input 0.34 install 0.19
installation 0.80 instanc -0.28 instance -0.55 instruction 0.67 ipython 1.25 issu 1.03
issue 1.08 json -0.79 key -1.41 language 0.71 latest 0.52 level -0.36 library -0.08
licens 2.38 license 2.02 lin -0.98 line -0.61 link 0.02 lint -0.59 linter 0.71 linux 0.49
list 0.05 load -0.66 local 0.05 logg 0.39 longer 0.98 look -0.36 maco 0.67 main 1.12
maintain 1.30 major 0.78 markdown 0.87 master -0.76 match 0.58 meson -0.12 metadata -0.71
method 0.74 mit 2.36 model -0.07 module 0.41 multiple -0.81 name -0.17 native 0.90
node 0.18 nodej 0.03 non -1.12 none -0.81 note -0.61 number -0.90 object -1.57
official -0.90 open 0.03 operat -0.02 operation -0.90 opt -1.12 option -0.83 optional 0.06
order 0.71 org -0.19 output -0.92 override -0.12 packag 0.20 package 0.90 page -0.08
parameter -0.26 parse -0.28 parser 0.67 part 1.30 pas -1.05 patch -0.61 path -0.34
performance 1.23 pip 1.11 platform 0.31 please 1.28 plugin 0.49 possible 0.90 pre 0.71
print -0.38 proces 0.41 project 0.22 property -1.24 provid -0.46 provide 0.12 pull -0.81
pydantic 1.98 pypi 0.49 pytest 0.97 python -0.16 rais 0.56 range -0.90 raw -1.99 read 0.27
readme 0.49 readthedoc 0.62 recommend 0.58 reference 0.49 relative -0.81 releas 3.05
release 1.98 remove 0.49 render -0.08 report 1.38 repository 0.39 request 0.12 requir -0.06
require 1.44 result -0.71 return -0.90 ruff -0.69 rul 0.09 run -0.22 runn 0.31 schema -0.66
script -0.98 second -1.18 section 0.39 security 1.59 serializ -1.33 serialize -1.12
set -0.16 setup 1.12 shell -0.15 show -1.24 simple -0.36 single -0.43 software 0.09
sort -0.90 source -0.30 specific 0.90 specify -0.02 src -0.76 stack -0.45 standard -0.20
start 0.90 statu -0.02 str -1.24 sudo -0.98 summary -0.49 support 0.84 syntax -0.90
system 0.44 table 0.49 template 0.97 terminal -0.20 test -0.02 text 0.44 textual 0.40
time 0.20 tool -0.39 tree -0.28 true 0.14 trust 0.39 try 0.12 two 0.70 typ 0.40 type -0.47
updat -0.12 update 0.29 url -0.41 usage 0.27 user -0.68 utf 0.71 validate -0.20 valu -0.06
value -1.12 variabl -0.28 variable -0.31 version 0.24 want -0.07 warn -0.90 web -0.15
window 0.80 work 0.95 www 0.67 xml -0.02 yaml -0.24
"""
)
UNIT_CUES = _parse(
    """
able -0.02 accept 0.14 acces 0.78 action -0.85 active -0.02 actual -0.36 adbar 0.14
add 0.39 addition 0.78 additional -1.30 address -0.28 affect -0.20 alia -0.08 alias 0.29
align -0.45 allow 0.06 alt -0.31 alternative 0.29 amazon 0.49 annotat -0.39
annotation -0.81 api 0.06 app -0.12 appear -0.02 append -1.30 application -0.18
arbitrary -0.20 argument -0.53 ascii 0.29 ask 0.82 assert -0.32 asset 0.34 astral -0.15
async -1.12 attachment 0.05 attempt 0.39 attr 0.34 attribut -0.07 attribute -0.76
author 0.63 automatical 0.14 available 0.63 avoid 0.02 aws -0.02 badge -0.31 bar -1.84
bas 0.02 bash -0.93 basic -0.98 begin -0.20 behavior -1.46 benchmark 0.06 best 0.25
binary 0.40 bit -0.28 blob 1.09 block 0.05 blog -0.61 bool 0.39 bound 1.49 branch 0.41
break 0.14 browser 0.20 bug 0.74 build 0.20 built 0.79 builtin 0.39 byt 0.58 cach 0.05
cache -0.40 call -0.45 callable -0.90 cas 0.67 case 0.16 center -0.55 certain 0.67
chang 0.37 change -1.33 changelog -0.02 character 0.49 charset 0.90 check 0.12 choose 0.67
clas -0.46 clean -0.66 clear -0.98 cli 1.14 client -0.12 clone -0.49 code -0.15
collection -0.12 color 0.39 column -1.05 com 0.50 command 0.15 comment 0.20 commit 0.12
common -0.26 community 1.59 compar 1.08 compare -0.55 compatibility 1.44 compatible 0.61
compil -0.02 compilation 1.00 compile -0.90 complete 0.32 comput -0.36 conda 0.20
config -0.17 configuration -0.36 configure -1.26 consider 0.16 consistent -0.12
console -1.07 constraint 0.31 contain 0.20 container 1.00 content 0.39 context -0.16
contribut 1.78 contribution 0.90 contributor 0.90 control 0.74 conversion -0.90
convert 0.15 copy -0.85 copyright 1.08 core -0.15 correct -0.02 coverage -0.10 crash 0.39
creat -0.64 create 0.27 current 0.61 custom -0.36 dat 0.39 data -0.17 dataclas -0.66
dataclass 0.03 date -0.12 datetime -1.36 debian -0.81 debug -0.55 decod -0.81 def -1.44
default -0.33 defin -0.36 definition -1.63 demo -0.98 depend 0.59 dependency 0.30
describ 0.49 description -1.05 design 1.25 detail 0.14 detect 1.01 detection 1.37 dev 0.09
developer 1.03 development 1.06 dict -0.56 dictionary -0.66 diff -0.02 different 0.27
dir -0.20 direct -0.32 directory -0.63 disabl 0.27 disable 0.11 discussion 0.34
display 0.05 distribution 0.49 doc 0.10 document 0.05 documentation 1.29 doesn 0.14
domain 0.41 don -1.71 double -0.02 download -0.33 due 0.34 dump -1.07 easy 0.37
element 0.31 empty -0.26 enabl -0.12 enable -0.10 encod 0.12 end -0.24 english 0.78
ensure 0.20 entry 0.80 environment -0.08 equivalent -1.18 error -0.12 event -0.36
exact -0.90 exampl -0.49 example -1.31 except 0.39 exception 0.34 exclude -1.41 execut 0.34
exist 0.86 expand -0.02 expect 0.56 experimental -0.36 explicit 0.43 export -0.02
expression 0.49 ext -0.90 extend 0.34 extension 0.85 external 1.00 extra -0.02 extract 0.12
extraction -0.02 fail -0.85 fallback 0.27 false -0.69 fast 0.37 faster 0.70 featur 0.74
feature 1.15 feedback -0.02 fetch -0.02 field -1.63 fil 0.08 file -0.40 filter -0.64
final -0.49 find 0.32 first -0.22 fix 0.43 flag 0.56 follow 0.22 foo -2.26 force 0.49
forge -0.28 form -0.28 format -0.16 found 0.80 frame 0.05 free 1.10 full -0.46
function -0.09 fuzzy -0.02 general 0.55 generat -0.08 generate -1.05 generation -1.36
generic -0.02 gif -1.24 git -0.51 github 0.57 githubusercontent -0.66 gitlab 0.71
global 0.09 gnome 0.78 gnu 0.27 google 0.49 graph -0.49 group 0.29 guide 0.56 handl 0.25
handle -0.02 handler -0.28 head 0.56 hello 0.31 help 0.78 higher 0.58 highlight 0.41
hook 0.05 host -0.49 href 0.29 html 0.46 http 0.41 icu -0.55 ignor -0.49 ignore -0.07
img -1.44 implement -0.20 implementation 0.16 import -0.71 important 0.58 improv 1.95
improve -0.53 improvement 0.90 includ 0.01 include -0.87 index 0.74 info -0.10
information 0.29 init 0.29 initial 1.12 input -0.17 inside -1.36 inspect 0.78 install 0.15
installation 0.59 instanc -0.85 instance -0.02 instruction 0.58 int -0.10 integer -0.98
integration 0.12 interface 0.29 invalid 0.15 ipython 0.98 isinstance -0.36 issu 1.10
issue 0.56 item 0.90 javascript 0.39 job 0.49 join 0.80 json -1.20 keep -0.98 key -0.52
keyword -0.90 know 1.30 lambda -1.24 language 0.94 large 0.41 last -0.08 later 1.18
latest 0.40 lead 0.12 len 0.29 length 0.39 level -0.64 lib -1.18 library 0.10 licens 2.35
license 1.46 limit 0.27 lin -0.85 line -0.58 link -0.17 lint -0.64 linter 0.49 linux 0.16
list 0.17 load -0.39 local -0.24 log 0.54 logg 0.27 logic -0.85 long 0.34 longer 0.64
look 0.25 lower 0.29 maco 0.15 main 0.60 maintain 1.72 maintainer 1.47 major 0.58 mak 1.59
management 0.49 manager 1.08 manual 0.49 mapp 0.49 markdown 0.68 marker -1.12 master -0.38
match 0.29 max -0.98 mean 0.56 member -0.02 memory 0.74 merge 0.90 meson -0.28
message -0.76 metadata -0.59 method 0.20 microsoft 0.12 min 0.90 miss -0.15 mit 2.35
mode 0.20 model -0.32 modify -0.49 modul 0.71 module 0.01 move 0.20 multiple -0.81
mypy 0.20 nam 0.02 name -0.67 namespace -0.61 native 0.14 necessary -0.02 nest -0.26
net -0.55 network -0.02 nod -0.12 node 0.13 nodej 0.31 non -0.61 none -0.41 normalize -0.43
note -0.08 number -0.46 numpy -0.61 obj -1.18 object -0.73 official -0.20 old 1.00
open 0.33 operat -0.43 operation -0.36 opt -2.12 optimization 0.90 option -0.85
optional 0.07 order 0.12 org -0.01 original -0.36 output -0.02 override -0.81 packag -0.49
package 0.83 pag 0.20 page -0.10 pair -0.02 parallel 0.67 parameter 0.01 parent -0.49
pars 0.90 parse -0.45 parser 0.70 part 0.54 party 0.58 pas -1.74 pass -0.45 patch -0.13
path -0.41 pattern -1.30 payload 1.46 pep -0.02 performance 0.30 piece -0.81 pip 0.96
platform 0.32 please 1.29 plugin 0.20 png -1.67 point -0.90 port -0.02 possible 0.69
post -1.05 pre 1.18 predicate -0.02 prefix -0.49 preserve -0.02 pretty -0.15 prevent -0.12
previou 1.18 print -0.53 private -1.12 proces 0.04 process 0.67 produce 0.39
production -0.98 program 0.80 project 0.43 proper 0.20 property 0.18 protocol -0.90
provid -0.22 provide -0.02 public 0.61 pull -1.51 pure 1.44 pydantic 0.78 pypi 0.77
pytest 0.72 python 0.02 query -0.31 question 1.46 quick 0.67 quot 1.00 rais 0.67
raise -0.53 range -0.90 raw -1.24 read 0.55 readme 0.20 readthedoc 0.67 receiv -0.12
recommend 0.37 recursive -0.90 ref -1.12 refactor 0.29 reference 0.54 regular 0.49
relat -0.08 relative -1.12 releas 2.49 release 1.63 remain 0.39 remov 0.14 remove -0.10
render 0.04 replace -0.20 report 1.11 repository 0.79 repr -1.05 request 0.22 requir -0.08
require 1.39 resourc -0.02 result -0.27 return -0.92 review -0.49 rich -0.76 right -0.02
root -0.12 rss -0.90 ruff -0.43 rul -0.46 rule 0.12 run -0.08 runn -0.02 runtime 0.40
rust -0.20 sam -0.43 sampl 0.05 sample 0.49 schema -0.81 script -0.20 sdk -0.06 search 0.56
second -0.85 section 0.31 security 1.37 segment -0.08 self -1.46 separate -0.02
serializ -1.57 serialization -1.08 serialize -1.24 server 0.82 serverles 0.05 set -0.04
sett 0.20 setting -0.81 setup 0.67 shar 0.34 share -0.02 shell 0.03 shield -1.24 show -0.57
signature -0.20 similar -0.49 simp -0.81 simple 0.64 single 0.09 site 0.39 size -0.02
small 1.88 software 0.14 sort -0.90 source 0.32 space -0.98 special 1.59 specifi -0.81
specific 0.85 specify -0.32 sponsor 1.00 src -0.36 stable 1.30 stack -0.36 standard -0.39
start 0.95 statement -0.81 static -0.49 statu -0.24 step -1.36 store -0.81 str -0.77
stream 0.43 strict -0.53 string -0.13 strong -0.81 studio -0.90 style 0.20 subclas -0.20
subclass -0.90 sudo -1.05 suite 0.34 summary -0.15 support 0.64 sure -0.20 svg -0.61
syntax -0.49 system 0.25 tabl -0.12 table 0.37 tag 2.69 tak -0.15 take 0.34 target 0.12
team 1.41 template 0.40 terminal -0.31 test 0.04 text 0.39 textual 0.20 third 0.67
thread 0.49 tim 0.39 time 0.32 title -0.49 token -0.36 toml 0.90 tool 0.33 toolchain 0.49
top 0.27 trac -0.02 trace -0.02 traceback -0.20 tracker 1.00 trail 0.39 transform -1.30
treat -0.12 tree 0.36 true -0.37 trust -0.08 try -0.43 tsc 0.11 tuple -0.90 twitter -0.12
two 0.52 txt -0.31 typ -0.00 type -0.78 typeerror -1.05 unicode 0.84 union -1.05 unit 1.12
unles 0.39 updat 0.16 update 0.03 url -0.91 usage -0.27 useful -0.15 user 0.04 utc -1.18
utf 0.63 util -0.28 utility 0.49 uuid -0.98 valid -0.20 validat -0.90 validate -0.75
validation -0.61 validator -1.24 valu 0.02 value -0.78 variabl -0.75 variable -0.52
variou 0.20 verify 0.39 version 0.14 visual 0.12 vulnerability 0.29 want 0.39 warn -0.78
way 1.59 web 0.24 welcome 2.06 wheel 0.12 whitespace -0.02 wide -0.02 width -0.57 wiki 0.63
window 0.32 word 0.12 work 0.66 workflow -0.20 world 0.41 written 0.67 www 0.33 xml 0.15
yaml 0.05 year 0.05 yml -0.20 zero -0.28
"""
)
